using System.Net;
using ServerlessCreds.Callers;
using ServerlessCreds.Common;

namespace ServerlessCreds.Host.Tests.Api;

public sealed class ScopeApiTests(ServerlessCredsApplication app) : IClassFixture<ServerlessCredsApplication>
{
    [Fact]
    public async Task The_catalog_is_seeded_with_the_built_in_scopes()
    {
        await app.ReadyAsync();
        using var client = app.CreateClient("any", Roles.View);

        var body = await (await client.GetAsync("/api/scopes")).ExpectAsync(HttpStatusCode.OK);

        var builtIns = body.GetProperty("items").EnumerateArray().Where(s => s.GetProperty("builtIn").GetBoolean()).Select(s => s.GetProperty("name").GetString()).Order();
        Assert.Equal(["Admin", "Agent", "Authentication", "Custom", "Patron", "RealTime", "Reporting"], builtIns);
    }

    [Fact]
    public async Task Platform_admins_add_scopes_and_names_are_unique_ignoring_case()
    {
        await app.ReadyAsync();
        using var admin = app.CreateClient(null, Roles.PlatformAdmin);
        var name = $"Billing.{Guid.NewGuid():N}"[..20];

        var created = await admin.PostJsonAsync("/api/scopes", new { name, displayName = "Billing", description = "Invoices" });
        var body = await created.ExpectAsync(HttpStatusCode.Created);
        Assert.Equal(name, body.GetProperty("name").GetString());
        Assert.False(body.GetProperty("builtIn").GetBoolean());
        Assert.NotNull(created.Headers.Location);
        Assert.NotNull(created.Headers.ETag);

        await (await admin.PostJsonAsync("/api/scopes", new { name = name.ToUpperInvariant() })).ExpectProblemAsync(HttpStatusCode.Conflict);
        var list = await (await admin.GetAsync("/api/scopes")).ExpectAsync(HttpStatusCode.OK);
        Assert.Single(list.GetProperty("items").EnumerateArray(), s => string.Equals(s.GetProperty("name").GetString(), name, StringComparison.OrdinalIgnoreCase));
    }

    [Theory]
    [InlineData("""{"name":"1starts-with-digit"}""", "name")]
    [InlineData("""{"name":"a"}""", "name")]
    [InlineData("""{"name":"has space"}""", "name")]
    [InlineData("""{"name":"slash/name"}""", "name")]
    [InlineData("""{"name":"TrailingNewline\n"}""", "name")]
    [InlineData("""{}""", "name")]
    [InlineData("""{"name":"Valid","builtIn":true}""", "builtIn")]
    public async Task Invalid_scope_names_are_refused(string json, string field)
    {
        await app.ReadyAsync();
        using var admin = app.CreateClient(null, Roles.PlatformAdmin);

        var problem = await (await admin.PostJsonAsync("/api/scopes", json)).ExpectProblemAsync(HttpStatusCode.BadRequest);

        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
    }

    [Fact]
    public async Task Only_platform_admins_change_the_catalogs()
    {
        await app.ReadyAsync();
        using var buAdmin = app.CreateClient("bu1", Roles.View, Roles.Create, Roles.Edit, Roles.Delete);
        using var anonymous = app.CreateClient();

        await (await buAdmin.PostJsonAsync("/api/scopes", new { name = "Sneaky" })).ExpectProblemAsync(HttpStatusCode.Forbidden);
        await (await buAdmin.PostJsonAsync("/api/external-applications", new { vendorName = "V", applicationName = "A", scopes = new[] { "Admin" } }))
            .ExpectProblemAsync(HttpStatusCode.Forbidden);
        await (await anonymous.GetAsync("/api/scopes")).ExpectProblemAsync(HttpStatusCode.Unauthorized);
        await (await anonymous.GetAsync("/api/external-applications")).ExpectProblemAsync(HttpStatusCode.Unauthorized);
        var scopes = await (await buAdmin.GetAsync("/api/scopes")).ExpectAsync(HttpStatusCode.OK);
        Assert.DoesNotContain(scopes.GetProperty("items").EnumerateArray(), s => s.GetProperty("name").GetString() == "Sneaky");
    }

    [Fact]
    public async Task External_catalog_entries_are_validated_and_listed()
    {
        await app.ReadyAsync();
        using var admin = app.CreateClient(null, Roles.PlatformAdmin);

        var problem = await (await admin.PostJsonAsync("/api/external-applications", new { vendorName = "V", applicationName = "A", scopes = new[] { "Nope" } }))
            .ExpectProblemAsync(HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("scopes", out _));

        var response = await admin.PostJsonAsync("/api/external-applications", new { vendorName = "Listed Vendor", applicationName = "Listed", scopes = new[] { "Patron" } });
        var created = await response.ExpectAsync(HttpStatusCode.Created);
        Assert.NotNull(response.Headers.ETag);
        var list = await (await admin.GetAsync("/api/external-applications")).ExpectAsync(HttpStatusCode.OK);
        Assert.Contains(list.GetProperty("items").EnumerateArray(), e => e.GetProperty("id").GetString() == created.GetProperty("id").GetString());
    }

    [Theory]
    [InlineData("/api/scopes", "name")]
    [InlineData("/api/external-applications", "id")]
    public async Task Catalogs_are_paged(string url, string key)
    {
        await app.ReadyAsync();
        using var admin = app.CreateClient(null, Roles.PlatformAdmin);
        for (var i = 0; i < 3; i++)
        {
            var entry = url == "/api/scopes" ? (object)new { name = $"Paged{i}" } : new { vendorName = "Paged Vendor", applicationName = $"Paged {i}", scopes = new[] { "Admin" } };
            Assert.True((await admin.PostJsonAsync(url, entry)).StatusCode is HttpStatusCode.Created or HttpStatusCode.Conflict);
        }

        var whole = Assert.Single(await admin.ReadPagesAsync(url, PageRequest.MaxSize));
        var pages = await admin.ReadPagesAsync(url, 2);

        Assert.True(whole.Count >= 3);
        Assert.All(pages[..^1], page => Assert.Equal(2, page.Count));
        Assert.Equal(whole.Select(e => e.GetProperty(key).GetString()), pages.SelectMany(page => page).Select(e => e.GetProperty(key).GetString()));
    }

    [Theory]
    [InlineData("/api/scopes?pageSize=0", "pageSize")]
    [InlineData("/api/scopes?pageSize=201", "pageSize")]
    [InlineData("/api/scopes?continuationToken=not-a-token!", "continuationToken")]
    [InlineData("/api/external-applications?pageSize=0", "pageSize")]
    [InlineData("/api/external-applications?continuationToken=b3RoZXJidQpYWFg", "continuationToken")]
    public async Task Bad_catalog_paging_parameters_are_refused(string url, string field)
    {
        await app.ReadyAsync();
        using var client = app.CreateClient("any", Roles.View);

        var problem = await (await client.GetAsync(url)).ExpectProblemAsync(HttpStatusCode.BadRequest);

        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
    }
}
