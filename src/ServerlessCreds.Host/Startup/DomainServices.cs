using ServerlessCreds.Applications;
using ServerlessCreds.Credentials;
using ServerlessCreds.ExternalApplications;
using ServerlessCreds.Scopes;

namespace ServerlessCreds.Host.Startup;

static class DomainServices
{
    public static IServiceCollection AddDomainServices(this IServiceCollection services)
    {
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<ScopeService>();
        services.AddSingleton<ExternalApplicationService>();
        services.AddSingleton<CredentialService>();
        services.AddSingleton<ApplicationService>();
        services.AddSingleton<StorageInitializer>();
        services.AddHostedService(sp => sp.GetRequiredService<StorageInitializer>());
        return services;
    }
}
