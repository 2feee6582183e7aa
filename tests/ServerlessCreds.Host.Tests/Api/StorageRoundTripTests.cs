using System.Net;
using ServerlessCreds.Callers;
using ServerlessCreds.Scopes;
using ServerlessCreds.Testing.Faults;

namespace ServerlessCreds.Host.Tests.Api;

/// <summary>Round trips the API saves, seen by a proxy in front of the real table storage.</summary>
public sealed class StorageRoundTripTests() : HostPerTest(new() { ProxyTables = true })
{
    FaultProxy Proxy => App.TableProxy;

    IEnumerable<ProxiedExchange> ExchangesSince(int start) => Proxy.Log.Skip(start);

    static bool IsScopeCatalogCall(ProxiedExchange e) => e.PathAndQuery.StartsWith("/devstoreaccount1/Scopes", StringComparison.Ordinal);

    [Fact]
    public async Task Creating_with_built_in_scopes_reads_no_catalog_and_with_a_custom_scope_reads_it_once()
    {
        using var client = Flow.Admin();
        using var platform = App.CreateClient(null, Roles.PlatformAdmin);
        await (await platform.PostJsonAsync("/api/scopes", new { name = "Billing" })).ExpectAsync(HttpStatusCode.Created);
        // Seeding writes the built-ins in the background after start; its calls must not be counted against the requests below.
        await Eventually.TrueAsync(
            () => Proxy.Log.Count(e => e.Method == "POST" && IsScopeCatalogCall(e)) >= Scope.BuiltIns.Count + 1, TimeSpan.FromSeconds(10), "the catalog is seeded");

        var start = Proxy.Log.Count;
        await (await client.PostJsonAsync(Flow.Applications, new { kind = "internal", vendorName = "V", applicationName = "Built-in", scopes = new[] { "admin", "Patron" } }))
            .ExpectAsync(HttpStatusCode.Created);
        Assert.DoesNotContain(ExchangesSince(start), IsScopeCatalogCall);

        start = Proxy.Log.Count;
        var created = await (await client.PostJsonAsync(Flow.Applications, new { kind = "internal", vendorName = "V", applicationName = "Custom", scopes = new[] { "Admin", "billing" } }))
            .ExpectAsync(HttpStatusCode.Created);
        Assert.Single(ExchangesSince(start), IsScopeCatalogCall);
        Assert.Equal(["Admin", "Billing"], created.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()));
    }

    [Fact]
    public async Task An_application_and_its_secrets_are_read_at_once()
    {
        using var client = Flow.Admin();
        var id = (await Flow.CreateApplicationAsync(client)).GetProperty("id").GetString()!;
        // Both reads are held at the proxy; both can be there at once only if the host sent them together.
        var release = new TaskCompletionSource();
        var pointRead = Proxy.HoldWhen(r => r.Method == "GET" && r.Path.Contains("/Applications(PartitionKey=", StringComparison.Ordinal), release.Task, times: 1);
        var secretsQuery = Proxy.HoldWhen(r => r.Method == "GET" && r.Path.Contains("/Applications()", StringComparison.Ordinal), release.Task, times: 1);

        var start = Proxy.Log.Count;
        var listing = client.GetAsync($"{Flow.Applications}/{id}/secrets");
        await Eventually.TrueAsync(() => pointRead.Hits == 1 && secretsQuery.Hits == 1, TimeSpan.FromSeconds(10), "the application's read and its secrets query are both in flight");
        release.SetResult();
        var secrets = await (await listing).ExpectAsync(HttpStatusCode.OK);

        Assert.Single(secrets.GetProperty("items").EnumerateArray());
        Assert.Equal(2, ExchangesSince(start).Count(e => e.Method == "GET" && e.PathAndQuery.Contains("/Applications", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Deleting_an_application_lists_its_secrets_once_and_removes_them_with_it()
    {
        using var client = Flow.Admin();
        var created = await Flow.CreateApplicationAsync(client);
        var application = $"{Flow.Applications}/{created.GetProperty("id").GetString()}";
        await (await client.PostJsonAsync($"{application}/secrets", "{}")).ExpectAsync(HttpStatusCode.Created);

        var start = Proxy.Log.Count;
        await (await client.DeleteAsync(application)).ExpectAsync(HttpStatusCode.NoContent);

        var secretQueries = ExchangesSince(start).Where(e => e.Method == "GET" && e.PathAndQuery.Contains("/Applications()?", StringComparison.Ordinal));
        Assert.Single(secretQueries);
        Assert.All(App.Vault.Secrets.Where(s => s.Tags.GetValueOrDefault("businessUnit") == Flow.BusinessUnit), s => Assert.False(s.Enabled));
        await (await client.GetAsync($"{application}/secrets")).ExpectProblemAsync(HttpStatusCode.NotFound);
    }
}
