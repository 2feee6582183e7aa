using System.Net;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using ServerlessCreds.Adapters.Storage;
using ServerlessCreds.Adapters.Tables;
using ServerlessCreds.Host.Functions;
using ServerlessCreds.Host.Tests.Api;

namespace ServerlessCreds.Host.Tests.Functions;

/// <summary>The PurgeExpired timer function invoked as the Functions host does, with table storage failing for one of its jobs.</summary>
public sealed class PurgeExpiredTests() : HostPerTest(new()
{
    ProxyTables = true,
    // Under the Functions host nothing runs the purge on its own, and the invocation's answer is what the host records.
    Settings = new Dictionary<string, string?> { ["FUNCTIONS_CUSTOMHANDLER_PORT"] = "7071" },
})
{
    [Fact]
    public async Task When_one_job_fails_the_others_still_run_and_the_invocation_reports_the_failure()
    {
        using var client = Flow.Admin();
        using var create = new HttpRequestMessage(HttpMethod.Post, Flow.Applications)
        {
            Content = new StringContent("""{"kind":"internal","vendorName":"Contoso","applicationName":"Purge","scopes":["Admin"]}""", Encoding.UTF8, "application/json"),
        };
        create.Headers.Add("Idempotency-Key", $"key-{Guid.NewGuid()}");
        var created = await (await client.SendAsync(create)).ExpectAsync(HttpStatusCode.Created);
        var application = $"{Flow.Applications}/{created.GetProperty("id").GetString()}";
        var shortLived = await (await client.PostJsonAsync($"{application}/secrets", new { expiresInDays = 1 })).ExpectAsync(HttpStatusCode.Created);
        App.Clock.Advance(TimeSpan.FromDays(2));
        var idempotency = new TableClient(StorageAccount.Parse(App.Azurite.ConnectionString), "Idempotency");
        Assert.Contains(await idempotency.ReadAllAsync(), r => r.GetString("ResponseLocation") == application);
        // The first job, expiring lapsed links, starts with a query of the deliveries.
        var outage = App.TableProxy.FailWhen(r => r.Method == "GET" && r.Path.StartsWith("/devstoreaccount1/Deliveries", StringComparison.Ordinal), 503);

        using var invocation = new StringContent(FunctionsHostPayload.Timer("PurgeExpired"), Encoding.UTF8, "application/json");
        var response = await App.CreateClient().PostAsync(new Uri("/PurgeExpired", UriKind.Relative), invocation);

        // Any status but 2xx is a failed invocation to the host.
        Assert.False(response.IsSuccessStatusCode, $"The invocation answered {(int)response.StatusCode}.");
        Assert.True(outage.Hits > 0);
        Assert.False(App.Vault.Secrets.Single(s => s.Value == shortLived.GetProperty("clientSecret").GetString()).Enabled);
        Assert.True(App.Vault.Secrets.Single(s => s.Value == created.GetProperty("clientSecret").GetString()).Enabled);
        Assert.DoesNotContain(await idempotency.ReadAllAsync(), r => r.GetString("ResponseLocation") == application);
        Assert.Contains(App.Logs.Lines, l => l.StartsWith("Error", StringComparison.Ordinal) && l.Contains("Purge job 'expire lapsed secret links' failed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_secret_whose_retirement_fails_does_not_keep_the_next_one_enabled_and_the_run_reports_the_failure()
    {
        using var client = Flow.Admin();
        var shortLived = new List<string>();
        for (var i = 0; i < 2; i++)
        {
            var application = $"{Flow.Applications}/{(await Flow.CreateApplicationAsync(client)).GetProperty("id").GetString()}";
            var secret = await (await client.PostJsonAsync($"{application}/secrets", new { expiresInDays = 1 })).ExpectAsync(HttpStatusCode.Created);
            shortLived.Add(secret.GetProperty("clientSecret").GetString()!);
        }

        App.Clock.Advance(TimeSpan.FromDays(2));
        // The vault refuses the first disable (403 is not retried), whichever secret comes first.
        App.Vault.FailNext(1, 403);
        var purge = App.Services.GetServices<ITimerHandler>().Single(h => h.FunctionName == "PurgeExpired");

        await Assert.ThrowsAsync<InvalidOperationException>(() => purge.RunAsync(default));

        Assert.Single(shortLived, value => App.Vault.Secrets.Single(s => s.Value == value).Enabled);
        Assert.Contains(App.Logs.Lines, l => l.StartsWith("Error", StringComparison.Ordinal) && l.Contains("Purge job 'retire expired secrets' failed", StringComparison.Ordinal));
        await purge.RunAsync(default);
        Assert.All(shortLived, value => Assert.False(App.Vault.Secrets.Single(s => s.Value == value).Enabled));
    }
}
