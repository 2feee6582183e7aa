using ServerlessCreds.Applications;
using ServerlessCreds.Audit;
using Microsoft.Extensions.Options;
using ServerlessCreds.Credentials;
using ServerlessCreds.Deliveries;
using ServerlessCreds.SecretLinks;
using ServerlessCreds.ExternalApplications;
using ServerlessCreds.Host.Functions;
using ServerlessCreds.Scopes;

namespace ServerlessCreds.Host.Startup;

static class DomainServices
{
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
            // The attempts the queue trigger makes before poisoning a message: standalone the listener's setting; under the
            // Functions host the default, which host.json's maxDequeueCount equals (tested).
            var maxAttempts = sp.GetRequiredService<IOptions<QueueTriggerOptions>>().Value.MaxDequeueCount;
            return new SecretEmailSettings(options.PublicBaseUrl!, options.ProductName, maxAttempts);
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
