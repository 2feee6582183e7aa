using System.Net.Http.Headers;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ServerlessCreds.Adapters.KeyVault;
using ServerlessCreds.Credentials;
using ServerlessCreds.Testing.Azurite;
using ServerlessCreds.Testing.Callers;
using ServerlessCreds.Testing.Faults;
using ServerlessCreds.Testing.KeyVault;
using ServerlessCreds.Testing.Logging;

namespace ServerlessCreds.Host.Tests;

/// <summary>
/// The real host, in memory, on a real Azurite and the Key Vault test server (reached by the real SecretClient over
/// HTTPS); callers authenticate with real signed tokens.
/// </summary>
public sealed class ServerlessCredsApplication : WebApplicationFactory<Program>, IAsyncLifetime
{
    readonly string signingKey = TestTokens.NewSigningKey();
    AzuriteInstance? ownAzurite;
    KeyVaultTestServer? vault;

    /// <summary>Null: the process-wide shared Azurite. Set before first use to run against a dedicated one (fault tests).</summary>
    public AzuriteInstance? DedicatedAzurite { get; init; }

    /// <summary>When set, table traffic goes through this proxy so tests can fail chosen storage calls.</summary>
    public FaultProxy? TableProxy { get; init; }

    /// <summary>Every log line the host wrote, at Trace level.</summary>
    public CapturedLogs Logs { get; } = new();

    public AzuriteInstance Azurite => ownAzurite ?? throw new InvalidOperationException("Call InitializeAsync first.");

    public KeyVaultTestServer Vault => vault ?? throw new InvalidOperationException("Call InitializeAsync first.");

    public async Task InitializeAsync()
    {
        ownAzurite = DedicatedAzurite ?? await SharedAzurite.GetAsync();
        vault = await KeyVaultTestServer.StartNewAsync();
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (vault is not null)
        {
            await vault.DisposeAsync();
        }
    }

    Task IAsyncLifetime.DisposeAsync() => DisposeAsync().AsTask();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.ConfigureLogging(logging => logging.SetMinimumLevel(LogLevel.Trace).AddProvider(Logs));
        var settings = TestTokens.Settings(signingKey);
        settings["AzureWebJobsStorage"] = Azurite.ConnectionStringThrough(tables: TableProxy);
        settings["KeyVault:VaultUri"] = Vault.VaultUri.ToString();
        settings["Logging:LogLevel:Default"] = "Trace";
        settings["Logging:LogLevel:Microsoft.AspNetCore"] = "Trace";
        builder.ConfigureAppConfiguration((_, config) => config.AddInMemoryCollection(settings));
        builder.ConfigureTestServices(services => services.AddSingleton<ISecretVault>(new KeyVaultSecretVault(Vault.VaultUri, Vault.CreateCredential(), VaultClientOptions())));
    }

    Azure.Security.KeyVault.Secrets.SecretClientOptions VaultClientOptions()
    {
        var options = KeyVaultSecretVault.CreateClientOptions();
        options.Transport = Vault.CreateTransport();
        options.DisableChallengeResourceVerification = true;
        options.Retry.Delay = TimeSpan.FromMilliseconds(10);
        return options;
    }

    /// <summary>A client acting as a caller with the given roles and optional business-unit claim.</summary>
    public HttpClient CreateClient(string? businessUnit, params string[] roles)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue(
            "Bearer", TestTokens.Create(signingKey, subject: $"user-{Guid.NewGuid():N}", roles: roles, businessUnit: businessUnit, name: "Test User"));
        return client;
    }

    /// <summary>Waits until the host has created its tables and seeded the catalog.</summary>
    public async Task<ServerlessCredsApplication> ReadyAsync()
    {
        using var client = CreateClient(null, "Platform.Admin");
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var response = await client.GetAsync("/api/scopes");
            if (response.IsSuccessStatusCode)
            {
                return this;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException("The host did not become ready.");
    }

    /// <summary>Extra app settings (for example <c>FUNCTIONS_CUSTOMHANDLER_PORT</c> or <c>Queues:*</c>), already visible while Program registers services.</summary>
    public IReadOnlyDictionary<string, string?> Settings { get; init; } = new Dictionary<string, string?>();

    /// <summary>Extra services, registered after Program's (for example test trigger handlers).</summary>
    public Action<IServiceCollection>? ConfigureServices { get; init; }

    protected override Microsoft.Extensions.Hosting.IHost CreateHost(Microsoft.Extensions.Hosting.IHostBuilder builder)
    {
        builder.ConfigureHostConfiguration(config => config.AddInMemoryCollection(Settings));
        builder.ConfigureServices((_, services) => ConfigureServices?.Invoke(services));
        return base.CreateHost(builder);
    }
}
