using System.Net;
using ServerlessCreds.Adapters.Storage;
using ServerlessCreds.Adapters.Tables;
using ServerlessCreds.Callers;
using ServerlessCreds.Host.Tests.Api;

namespace ServerlessCreds.Host.Tests.Security;

/// <summary>Secret values appear in exactly one place outside the vault: the response that created them.</summary>
public sealed class SecretLeakTests(ServerlessCredsApplication app) : IClassFixture<ServerlessCredsApplication>
{
    [Fact]
    public async Task No_secret_value_reaches_logs_tables_other_responses_or_problem_bodies()
    {
        await app.ReadyAsync();
        var bu = $"bu{Guid.NewGuid():N}"[..20];
        using var client = app.CreateClient(bu, Roles.View, Roles.Create, Roles.Edit, Roles.Delete);
        var applications = $"/api/business-units/{bu}/applications";
        var secrets = new List<string>();
        var otherResponses = new List<string>();

        var created = await (await client.PostJsonAsync(applications, new { kind = "internal", vendorName = "V", applicationName = "A", scopes = new[] { "Admin" } }))
            .ExpectAsync(HttpStatusCode.Created);
        secrets.Add(created.GetProperty("clientSecret").GetString()!);
        var id = created.GetProperty("id").GetString()!;
        var rotated = await (await client.PostJsonAsync($"{applications}/{id}/secrets", "{}")).ExpectAsync(HttpStatusCode.Created);
        secrets.Add(rotated.GetProperty("clientSecret").GetString()!);

        async Task Record(Task<HttpResponseMessage> call) => otherResponses.Add(await (await call).Content.ReadAsStringAsync());
        await Record(client.PostJsonAsync($"{applications}/{id}/secrets", "{}"));
        await Record(client.GetAsync($"{applications}/{id}"));
        await Record(client.GetAsync($"{applications}/{id}/secrets"));
        await Record(client.GetAsync(applications));
        await Record(client.PatchAsync($"{applications}/{id}", new StringContent("""{"applicationName":"B"}""", System.Text.Encoding.UTF8, "application/json")));
        await Record(client.DeleteAsync($"{applications}/{id}/secrets/{created.GetProperty("secretId").GetString()}"));
        app.Vault.FailNext(100, 500);
        await Record(client.PostJsonAsync($"{applications}/{id}/secrets", "{}"));
        app.Vault.FailNext(0, 500);
        await Record(client.DeleteAsync($"{applications}/{id}"));

        var tables = new StorageTables(name => new TableClient(StorageAccount.Parse(app.Azurite.ConnectionString), name));
        var stored = new List<string>();
        foreach (var table in tables.All)
        {
            string? token = null;
            do
            {
                var page = await table.QueryAsync(null, 1000, token);
                stored.AddRange(page.Items.SelectMany(e => e.Properties.Values).Select(v => v?.ToString() ?? ""));
                token = page.ContinuationToken;
            }
            while (token is not null);
        }

        Assert.NotEmpty(app.Logs.Lines);
        foreach (var secret in secrets)
        {
            Assert.DoesNotContain(app.Logs.Lines, line => line.Contains(secret, StringComparison.Ordinal));
            Assert.DoesNotContain(stored, value => value.Contains(secret, StringComparison.Ordinal));
            Assert.DoesNotContain(otherResponses, body => body.Contains(secret, StringComparison.Ordinal));
        }
    }
}
