using System.Net.Http.Headers;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ServerlessCreds.Adapters.KeyVault;
using ServerlessCreds.Credentials;
using ServerlessCreds.Testing;
using ServerlessCreds.Testing.Azurite;
using ServerlessCreds.Testing.CommunicationEmail;
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
    AzuriteInstance? azurite;
    FaultProxy? tableProxy;
    KeyVaultTestServer? vault;
    CommunicationEmailTestServer? email;

    /// <summary>When true, table traffic goes through <see cref="TableProxy"/> so tests can fail chosen storage calls.</summary>
    public bool ProxyTables { get; init; }

    public FaultProxy TableProxy => tableProxy ?? throw new InvalidOperationException("Set ProxyTables and call InitializeAsync first.");

    /// <summary>Every log line the host wrote, at Trace level.</summary>
    public CapturedLogs Logs { get; } = new();

    /// <summary>
    /// By default each host gets its own Azurite: queues are not shared with other tests' hosts, whose listeners would take
    /// each other's messages. Set this to hand one Azurite (owned by the test) to successive hosts, as after a crash.
    /// </summary>
    public AzuriteInstance? SharedAzurite { get; init; }

    public AzuriteInstance Azurite => azurite ?? throw new InvalidOperationException("Call InitializeAsync first.");

    public async Task InitializeAsync()
    {
        azurite = SharedAzurite ?? await AzuriteInstance.StartNewAsync();
        tableProxy = ProxyTables ? await FaultProxy.StartAsync(azurite.TableServiceUri) : null;
        vault = await KeyVaultTestServer.StartNewAsync();
        email = await CommunicationEmailTestServer.StartAsync();
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        foreach (var dependency in new IAsyncDisposable?[] { email, vault, tableProxy, SharedAzurite is null ? azurite : null })
        {
            if (dependency is not null)
            {
                await dependency.DisposeAsync();
            }
        }
    }

    Task IAsyncLifetime.DisposeAsync() => DisposeAsync().AsTask();

    public KeyVaultTestServer Vault => vault ?? throw new InvalidOperationException("Call InitializeAsync first.");

    public CommunicationEmailTestServer Email => email ?? throw new InvalidOperationException("Call InitializeAsync first.");

    /// <summary>The host's clock; starts at the real time and moves only when a test advances it.</summary>
    public ManualTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

    public const string PublicBaseUrl = "https://creds.example.test/";

    /// <summary>The key the host accepts HS256 tokens from, for tests that build their own (also broken) tokens.</summary>
    public string SigningKey => signingKey;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.ConfigureLogging(logging => logging.SetMinimumLevel(LogLevel.Trace).AddProvider(Logs));
        var settings = TestTokens.Settings(signingKey);
        settings["AzureWebJobsStorage"] = Azurite.ConnectionStringThrough(tables: tableProxy);
        settings["KeyVault:VaultUri"] = Vault.VaultUri.ToString();
        settings["Email:ConnectionString"] = Email.ConnectionString;
        settings["Email:SenderAddress"] = "DoNotReply@mail.serverlesscreds.test";
        settings["PublicBaseUrl"] = PublicBaseUrl;
        // Short, so a message left unsettled (its process crashed) is delivered again within a test.
        settings["Queues:VisibilityTimeout"] = "00:00:10";
        settings["Queues:RetryDelay"] = "00:00:00.200";
        settings["Queues:MaxPollingInterval"] = "00:00:00.200";
        settings["Logging:LogLevel:Default"] = "Trace";
        settings["Logging:LogLevel:Microsoft.AspNetCore"] = "Trace";
        // Every test request comes from the same (absent) address; the rate-limit tests set their own limits.
        settings["RateLimits:RevealsPerAddress"] = "10000";
        settings["RateLimits:RevealsPerToken"] = "10000";
        foreach (var (key, value) in Settings)
        {
            settings[key] = value;
        }

        builder.ConfigureAppConfiguration((_, config) => config.AddInMemoryCollection(settings));
        builder.ConfigureTestServices(services =>
        {
            services.AddSingleton<ISecretVault>(new KeyVaultSecretVault(Vault.VaultUri, Vault.CreateCredential(), VaultClientOptions()));
            services.AddSingleton<TimeProvider>(Clock);
        });
    }

    Azure.Security.KeyVault.Secrets.SecretClientOptions VaultClientOptions()
    {
        var options = Vault.Configure(KeyVaultSecretVault.CreateClientOptions());
        options.Retry.Delay = TimeSpan.FromMilliseconds(10);
        return options;
    }

    /// <summary>A client acting as a new caller with the given roles and optional business-unit claim.</summary>
    public HttpClient CreateClient(string? businessUnit, params string[] roles) => CreateClientAs($"user-{Guid.NewGuid():N}", businessUnit, roles);

    /// <summary>A client acting as the caller <paramref name="subject"/> (the token's <c>sub</c>, named "Test User").</summary>
    public HttpClient CreateClientAs(string subject, string? businessUnit, params string[] roles)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue(
            "Bearer", TestTokens.Create(signingKey, subject: subject, roles: roles, businessUnit: businessUnit, name: "Test User",
            expires: DateTimeOffset.UtcNow.AddDays(30)));
        return client;
    }

    /// <summary>Waits until the host has created its tables and queue (the catalog is seeded in the background).</summary>
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
