using System.Net.Http.Headers;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using ServerlessCreds.Testing.Azurite;
using ServerlessCreds.Testing.Callers;

namespace ServerlessCreds.Host.Tests;

/// <summary>The real host, in memory, on a real Azurite; callers authenticate with real signed tokens.</summary>
public sealed class ServerlessCredsApplication : WebApplicationFactory<Program>, IAsyncLifetime
{
    readonly string signingKey = TestTokens.NewSigningKey();
    AzuriteInstance? ownAzurite;

    /// <summary>Null: the process-wide shared Azurite. Set before first use to run against a dedicated one (fault tests).</summary>
    public AzuriteInstance? DedicatedAzurite { get; init; }

    public AzuriteInstance Azurite => ownAzurite ?? throw new InvalidOperationException("Call InitializeAsync first.");

    public async Task InitializeAsync() => ownAzurite = DedicatedAzurite ?? await SharedAzurite.GetAsync();

    Task IAsyncLifetime.DisposeAsync() => DisposeAsync().AsTask();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        var settings = TestTokens.Settings(signingKey);
        settings["AzureWebJobsStorage"] = Azurite.ConnectionString;
        builder.ConfigureAppConfiguration((_, config) => config.AddInMemoryCollection(settings));
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
}
