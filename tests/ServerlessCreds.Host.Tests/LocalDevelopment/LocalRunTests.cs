using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using ServerlessCreds.Host.Tests.Api;
using ServerlessCreds.Testing.Azurite;
using ServerlessCreds.Testing.Callers;

namespace ServerlessCreds.Host.Tests.LocalDevelopment;

/// <summary>The README's local run: the Development environment's embedded defaults (local vault, local outbox) on Azurite.</summary>
public sealed class LocalRunTests : IAsyncLifetime
{
    readonly string folder = Directory.CreateTempSubdirectory("serverlesscreds-local-").FullName;
    AzuriteInstance azurite = null!;

    public async Task InitializeAsync() => azurite = await AzuriteInstance.StartNewAsync();

    public async Task DisposeAsync()
    {
        await azurite.DisposeAsync();
        Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public async Task The_development_defaults_create_an_application_and_email_its_link_to_the_readable_outbox()
    {
        var signingKey = TestTokens.NewSigningKey();
        await using var app = new WebApplicationFactory<Program>().WithWebHostBuilder(builder =>
        {
            builder.UseEnvironment("Development");
            var settings = TestTokens.Settings(signingKey);
            // Only what differs from the embedded defaults on this machine: Azurite's ports, and folders for the dev vault and outbox.
            settings["AzureWebJobsStorage"] = azurite.ConnectionString;
            settings["LocalDevelopment:VaultPath"] = Path.Combine(folder, "vault");
            settings["LocalDevelopment:OutboxPath"] = Path.Combine(folder, "outbox");
            settings["Queues:MaxPollingInterval"] = "00:00:00.200";
            builder.ConfigureAppConfiguration((_, config) => config.AddInMemoryCollection(settings));
        });
        using var client = app.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", TestTokens.Create(signingKey, roles: ["ApiApplications.Create", "ApiApplications.SendSecretEmail"], businessUnit: "contoso"));

        var created = await (await client.PostJsonAsync("/api/business-units/contoso/applications", new { kind = "internal", vendorName = "Contoso", applicationName = "Local", scopes = new[] { "Agent" } }))
            .ExpectAsync(HttpStatusCode.Created);
        await (await client.PostJsonAsync($"/api/business-units/contoso/applications/{created.GetProperty("id").GetString()}/secret-emails", new { recipientEmail = "ana@customer.example" }))
            .ExpectAsync(HttpStatusCode.Accepted);

        string outbox = "";
        await Eventually.TrueAsync(async () => (outbox = await client.GetStringAsync("/dev/outbox")).Contains("ana@customer.example", StringComparison.Ordinal), TimeSpan.FromSeconds(30), "the email is in the outbox");
        Assert.Contains("client secret for Local", outbox, StringComparison.Ordinal);
        var vaultFiles = Directory.GetFiles(Path.Combine(folder, "vault"), "*", SearchOption.AllDirectories).Select(File.ReadAllText);
        Assert.DoesNotContain(vaultFiles, text => text.Contains(created.GetProperty("clientSecret").GetString()!, StringComparison.Ordinal));
    }
}
