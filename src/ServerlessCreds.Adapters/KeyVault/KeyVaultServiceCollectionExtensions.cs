using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ServerlessCreds.Credentials;

namespace ServerlessCreds.Adapters.KeyVault;

public static class KeyVaultServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="KeyVaultSecretVault"/> as the <see cref="ISecretVault"/>, configured from section <c>KeyVault</c>
    /// (validated at start) and authenticated as <see cref="AzureAdapters.Credential"/> says (the managed identity in Azure).
    /// </summary>
    public static IServiceCollection AddKeyVaultSecretVault(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<KeyVaultOptions>()
            .Bind(configuration.GetSection(KeyVaultOptions.SectionName))
            .Validate(options => options.HasHttpsVaultUri, "KeyVault:VaultUri must be an absolute https URI.")
            .ValidateOnStart();

        services.AddSingleton<ISecretVault>(provider =>
        {
            var options = provider.GetRequiredService<IOptions<KeyVaultOptions>>().Value;
            return new KeyVaultSecretVault(options.VaultUri!, AzureAdapters.Credential(options.ManagedIdentityClientId), KeyVaultSecretVault.CreateClientOptions());
        });

        return services;
    }
}
