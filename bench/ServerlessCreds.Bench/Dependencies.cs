using System.Security.Cryptography;
using Azure.Security.KeyVault.Secrets;
using ServerlessCreds.Adapters.KeyVault;
using ServerlessCreds.Adapters.Storage;
using ServerlessCreds.Testing.Azurite;
using ServerlessCreds.Testing.Callers;
using ServerlessCreds.Testing.CommunicationEmail;
using ServerlessCreds.Testing.KeyVault;

namespace ServerlessCreds.Bench;

/// <summary>
/// The local stand-ins every phase runs against: one Azurite, the Key Vault and ACS test servers, and an OpenID authority
/// whose RS256 tokens the handler validates against its published keys, as with Entra ID in production.
/// </summary>
sealed class Dependencies : IAsyncDisposable
{
    public required AzuriteInstance Azurite { get; init; }
    public required KeyVaultTestServer Vault { get; init; }
    /// <summary>How spawned handlers reach <see cref="Vault"/>: a managed identity, the vault's domain, its certificate.</summary>
    public required VaultProcessAccess VaultAccess { get; init; }
    public required CommunicationEmailTestServer Email { get; init; }
    public required OpenIdTestServer IdentityProvider { get; init; }
    public required (string Kid, RSA Key) SigningKey { get; init; }
    public StorageAccount Account => StorageAccount.Parse(Azurite.ConnectionString);

    public static async Task<Dependencies> StartAsync()
    {
        var vault = await KeyVaultTestServer.StartNewAsync();
        var identityProvider = await OpenIdTestServer.StartAsync();
        return new()
        {
            IdentityProvider = identityProvider,
            SigningKey = identityProvider.AddKey(),
            Azurite = await AzuriteInstance.StartNewAsync(),
            Vault = vault,
            VaultAccess = await vault.StartProcessAccessAsync(),
            Email = await CommunicationEmailTestServer.StartAsync(),
        };
    }

    /// <summary>
    /// Settings and environment for a spawned handler, as in Azure: the app settings, the vault under its vault.azure.net
    /// name with the user-assigned identity's client id (as infra/ sets them), and the variables that give the process that
    /// identity and a route and trust to the vault.
    /// </summary>
    public Dictionary<string, string?> HandlerSettings()
    {
        var settings = Settings();
        foreach (var (name, value) in VaultAccess.HandlerSettings)
        {
            settings[name] = value;
        }

        return settings;
    }

    /// <summary>App settings for the handler in this process, which reaches the vault with the test server's own credential.</summary>
    public Dictionary<string, string?> Settings()
    {
        var settings = IdentityProvider.Settings();
        settings["AzureWebJobsStorage"] = Azurite.ConnectionString;
        settings["KeyVault:VaultUri"] = Vault.VaultUri.ToString();
        settings["Email:ConnectionString"] = Email.ConnectionString;
        settings["Email:SenderAddress"] = "DoNotReply@mail.serverlesscreds.test";
        settings["PublicBaseUrl"] = "https://creds.example.test/";
        settings["RateLimits:RevealsPerAddress"] = "10000";
        settings["RateLimits:RevealsPerToken"] = "10000";
        settings["Logging:LogLevel:Default"] = "Warning";
        return settings;
    }

    public string Token(string businessUnit, params string[] roles) =>
        IdentityProvider.CreateToken(SigningKey, objectId: "bench", name: "Bench", roles, businessUnit, expires: DateTimeOffset.UtcNow.AddDays(1));

    /// <summary>A SecretClient configured like the host's, trusting the test server.</summary>
    public SecretClient SecretClient() => new(Vault.VaultUri, Vault.CreateCredential(), Vault.Configure(KeyVaultSecretVault.CreateClientOptions()));

    public KeyVaultSecretVault SecretVault() => new(Vault.VaultUri, Vault.CreateCredential(), Vault.Configure(KeyVaultSecretVault.CreateClientOptions()));

    public async ValueTask DisposeAsync()
    {
        await IdentityProvider.DisposeAsync();
        await Email.DisposeAsync();
        await VaultAccess.DisposeAsync();
        await Vault.DisposeAsync();
        await Azurite.DisposeAsync();
    }
}
