using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ServerlessCreds.Adapters.KeyVault;
using ServerlessCreds.Credentials;

namespace ServerlessCreds.Adapters.Tests.KeyVault;

public sealed class KeyVaultRegistrationTests
{
    [Fact]
    public void A_valid_https_vault_uri_registers_the_key_vault_secret_vault()
    {
        using var provider = BuildProvider(new() { ["KeyVault:VaultUri"] = "https://kv-test.vault.azure.net/", ["KeyVault:ManagedIdentityClientId"] = "00000000-0000-0000-0000-000000000001" });

        Assert.IsType<KeyVaultSecretVault>(provider.GetRequiredService<ISecretVault>());
        Assert.Equal("00000000-0000-0000-0000-000000000001", provider.GetRequiredService<IOptions<KeyVaultOptions>>().Value.ManagedIdentityClientId);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("http://kv-test.vault.azure.net/")]
    [InlineData("kv-test.vault.azure.net")]
    public void A_missing_or_non_https_vault_uri_fails_validation(string? vaultUri)
    {
        using var provider = BuildProvider(new() { ["KeyVault:VaultUri"] = vaultUri });

        var exception = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<KeyVaultOptions>>().Value);

        Assert.Contains("KeyVault:VaultUri", exception.Message, StringComparison.Ordinal);
    }

    private static ServiceProvider BuildProvider(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        return new ServiceCollection().AddKeyVaultSecretVault(configuration).BuildServiceProvider();
    }
}
