using Microsoft.Extensions.DependencyInjection;
using ServerlessCreds.Deliveries;

namespace ServerlessCreds.Adapters.LocalDevelopment;

public static class OutboxServiceCollectionExtensions
{
    /// <summary>Development only: email goes to a local folder instead of Azure Communication Services.</summary>
    public static IServiceCollection AddOutboxEmail(this IServiceCollection services)
    {
        services.AddSingleton<OutboxEmailSender>();
        services.AddSingleton<IEmailSender>(provider => provider.GetRequiredService<OutboxEmailSender>());
        return services;
    }
}
