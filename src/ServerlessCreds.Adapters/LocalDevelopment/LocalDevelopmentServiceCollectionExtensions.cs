using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using ServerlessCreds.Credentials;

namespace ServerlessCreds.Adapters.LocalDevelopment;

public static class LocalDevelopmentServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="LocalDevelopmentVault"/> as the <see cref="ISecretVault"/> (section <c>LocalDevelopment</c>).
    /// For the local run only: resolving it outside the Development environment throws.
    /// </summary>
    public static IServiceCollection AddLocalDevelopmentVault(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<LocalDevelopmentOptions>().Bind(configuration.GetSection(LocalDevelopmentOptions.SectionName));
        services.AddSingleton<ISecretVault, LocalDevelopmentVault>();
        return services;
    }
}
