using ServerlessCreds.Applications;
using ServerlessCreds.Audit;
using Microsoft.Extensions.Options;
using ServerlessCreds.Credentials;
using ServerlessCreds.Deliveries;
using ServerlessCreds.SecretLinks;
using ServerlessCreds.ExternalApplications;
using ServerlessCreds.Scopes;

namespace ServerlessCreds.Host.Startup;

static class DomainServices
{
    /// <summary>Attempts the queue trigger makes before poisoning a message; host.json's maxDequeueCount says the same.</summary>
    public const int MaxDeliveryAttempts = 5;

    public static IServiceCollection AddDomainServices(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<SecretEmailOptions>()
            .Bind(configuration)
            .Validate(options => options.HasAbsoluteHttpUrl, "PublicBaseUrl must be an absolute http(s) URL, e.g. https://creds.example.com.")
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<SecretEmailOptions>, SecretEmailOptionsValidator>();
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<SecretEmailOptions>>().Value;
            return new SecretEmailSettings(options.PublicBaseUrl!, options.ProductName, MaxDeliveryAttempts);
        });
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<AuditTrail>();
        services.AddSingleton<ScopeService>();
        services.AddSingleton<ExternalApplicationService>();
        services.AddSingleton<CredentialService>();
        services.AddSingleton<ApplicationService>();
        services.AddSingleton<SecretEmailService>();
        services.AddSingleton<RevealService>();
        services.AddSingleton<StorageInitializer>();
        services.AddHostedService(sp => sp.GetRequiredService<StorageInitializer>());
        return services;
    }
}
