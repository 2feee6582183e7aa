using System.Net;
using Microsoft.Extensions.DependencyInjection;
using ServerlessCreds.Adapters.Storage;
using ServerlessCreds.Adapters.Tables;
using ServerlessCreds.Callers;
using ServerlessCreds.Scopes;

namespace ServerlessCreds.Host.Tests.Api;

/// <summary>Seeding runs in the background after start; the catalog must be complete without it.</summary>
public sealed class ScopeCatalogSeedingTests() : HostPerTest(new())
{
    TableClient Scopes => new(StorageAccount.Parse(App.Azurite.ConnectionString), "Scopes");

    async Task<List<string>> StoredRowKeysAsync() => [.. (await Scopes.QueryAsync(null, 1000, null)).Items.Select(e => e.RowKey)];

    // The background seeding finishes with the last built-in's row; wait for it so that it cannot undo a deletion below.
    Task WaitForSeedingAsync() =>
        Eventually.TrueAsync(async () => (await StoredRowKeysAsync()).Count >= Scope.BuiltIns.Count, TimeSpan.FromSeconds(10), "the catalog is seeded");

    async Task ForgetSeededRowsAsync()
    {
        await WaitForSeedingAsync();
        foreach (var builtIn in Scope.BuiltIns)
        {
            await Scopes.DeleteAsync("scope", builtIn.Name.ToLowerInvariant());
        }
    }

    [Fact]
    public async Task Built_in_scopes_are_usable_and_reserved_before_they_are_seeded()
    {
        await ForgetSeededRowsAsync();
        using var admin = App.CreateClient(null, Roles.PlatformAdmin);
        using var buAdmin = App.CreateClient("bu-seed", Roles.View, Roles.Create);

        var list = await (await admin.GetAsync("/api/scopes")).ExpectAsync(HttpStatusCode.OK);
        var builtIns = list.GetProperty("items").EnumerateArray().Where(s => s.GetProperty("builtIn").GetBoolean()).Select(s => s.GetProperty("name").GetString()).Order();
        Assert.Equal(Scope.BuiltIns.Select(s => s.Name).Order(), builtIns);

        var created = await (await buAdmin.PostJsonAsync("/api/business-units/bu-seed/applications",
            new { kind = "internal", vendorName = "Contoso", applicationName = "Early", scopes = new[] { "admin" } })).ExpectAsync(HttpStatusCode.Created);
        Assert.Equal(["Admin"], created.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()));

        await (await admin.PostJsonAsync("/api/scopes", new { name = "REPORTING", displayName = "Not the built-in" })).ExpectProblemAsync(HttpStatusCode.Conflict);
        Assert.DoesNotContain("reporting", await StoredRowKeysAsync());
    }

    [Fact]
    public async Task Seeding_stores_only_the_missing_built_ins_and_keeps_custom_scopes()
    {
        using var admin = App.CreateClient(null, Roles.PlatformAdmin);
        await WaitForSeedingAsync();
        await (await admin.PostJsonAsync("/api/scopes", new { name = "Billing" })).ExpectAsync(HttpStatusCode.Created);
        await Scopes.DeleteAsync("scope", "patron");

        await App.Services.GetRequiredService<ScopeService>().SeedAsync(CancellationToken.None);
        await App.Services.GetRequiredService<ScopeService>().SeedAsync(CancellationToken.None);

        var stored = await Scopes.QueryAsync(null, 1000, null);
        Assert.Equal(Scope.BuiltIns.Select(s => s.Name.ToLowerInvariant()).Append("billing").Order(), stored.Items.Select(e => e.RowKey).Order());
        Assert.All(stored.Items.Where(e => e.RowKey != "billing"), e => Assert.True(e.GetBoolean("BuiltIn")));
    }
}
