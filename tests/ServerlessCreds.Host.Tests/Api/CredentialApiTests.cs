using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using ServerlessCreds.Callers;
using ServerlessCreds.Host.Functions;

namespace ServerlessCreds.Host.Tests.Api;

public sealed class CredentialApiTests(ServerlessCredsApplication app) : IClassFixture<ServerlessCredsApplication>
{
    readonly string bu = $"bu{Guid.NewGuid():N}"[..20];

    string Applications => $"/api/business-units/{bu}/applications";

    HttpClient Admin() => app.CreateClient(bu, Roles.View, Roles.Create, Roles.Edit, Roles.Delete);

    async Task<JsonElement> CreateApplicationAsync(HttpClient client) =>
        await (await client.PostJsonAsync(Applications, new { kind = "internal", vendorName = "Contoso", applicationName = "Billing sync", scopes = new[] { "Admin" } }))
            .ExpectAsync(HttpStatusCode.Created);

    [Fact]
    public async Task Creating_an_application_returns_a_40_character_secret_once_and_stores_it_only_in_the_vault()
    {
        await app.ReadyAsync();
        using var client = Admin();

        var created = await CreateApplicationAsync(client);

        var id = created.GetProperty("id").GetString()!;
        var secretId = created.GetProperty("secretId").GetString()!;
        var value = created.GetProperty("clientSecret").GetString()!;
        Assert.Matches("^[A-Za-z0-9]{40}$", value);

        var stored = Assert.Single(app.Vault.Secrets, s => s.Name == $"client-secret-{id}-{secretId}");
        Assert.Equal(value, stored.Value);
        Assert.True(stored.Enabled);
        Assert.Equal(bu, stored.Tags["businessUnit"]);
        Assert.Equal(id, stored.Tags["applicationId"]);
        Assert.Equal(secretId, stored.Tags["secretId"]);
        Assert.NotNull(stored.ContentType);
        Assert.NotNull(stored.ExpiresOn);
        Assert.Contains(app.Vault.Requests, r => r.Status == 401 && !r.HadAuthorization);
        Assert.Contains(app.Vault.Requests, r => r.Method == "PUT" && r.HadAuthorization && r.Status == 200);

        var read = await (await client.GetAsync($"{Applications}/{id}")).ReadJsonAsync();
        var secrets = await (await client.GetAsync($"{Applications}/{id}/secrets")).ExpectAsync(HttpStatusCode.OK);
        var list = await (await client.GetAsync(Applications)).ReadJsonAsync();
        foreach (var body in new[] { read, secrets, list })
        {
            Assert.DoesNotContain(value, body.GetRawText(), StringComparison.Ordinal);
        }

        var metadata = Assert.Single(secrets.GetProperty("items").EnumerateArray());
        Assert.Equal(secretId, metadata.GetProperty("secretId").GetString());
        Assert.Equal(value[^4..], metadata.GetProperty("hint").GetString());
        Assert.Equal("active", metadata.GetProperty("state").GetString());
    }

    [Fact]
    public async Task Rotation_keeps_the_old_secret_active_refuses_a_third_and_revocation_disables_it_in_the_vault()
    {
        await app.ReadyAsync();
        using var client = Admin();
        var created = await CreateApplicationAsync(client);
        var secrets = $"{Applications}/{created.GetProperty("id").GetString()}/secrets";
        var first = created.GetProperty("secretId").GetString()!;

        var rotated = await client.PostJsonAsync(secrets, new { expiresInDays = 30 });
        var second = await rotated.ExpectAsync(HttpStatusCode.Created);
        var application = await client.GetAsync($"{Applications}/{created.GetProperty("id").GetString()}");
        Assert.Equal(application.Headers.ETag, rotated.Headers.ETag);
        Assert.Matches("^[A-Za-z0-9]{40}$", second.GetProperty("clientSecret").GetString());
        var listed = await (await client.GetAsync(secrets)).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(2, listed.GetProperty("items").EnumerateArray().Count(s => s.GetProperty("state").GetString() == "active"));

        await (await client.PostJsonAsync(secrets, "{}")).ExpectProblemAsync(HttpStatusCode.Conflict);
        Assert.Equal(2, app.Vault.Secrets.Count(s => s.Name.Contains(created.GetProperty("id").GetString()!, StringComparison.Ordinal)));

        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"{secrets}/{first}")).StatusCode);
        Assert.False(app.Vault.Secrets.Single(s => s.Name.EndsWith(first, StringComparison.Ordinal)).Enabled);
        var afterRevoke = await (await client.GetAsync(secrets)).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("revoked", afterRevoke.GetProperty("items").EnumerateArray().Single(s => s.GetProperty("secretId").GetString() == first).GetProperty("state").GetString());

        await (await client.PostJsonAsync(secrets, "{}")).ExpectAsync(HttpStatusCode.Created);
        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"{secrets}/{first}")).StatusCode);
        await (await client.DeleteAsync($"{secrets}/nosuchsecret")).ExpectProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task The_etag_of_a_new_secret_is_the_applications_and_serves_as_if_match_for_the_next_patch()
    {
        await app.ReadyAsync();
        using var client = Admin();
        var created = await client.PostJsonAsync(Applications, new { kind = "internal", vendorName = "Contoso", applicationName = "Billing sync", scopes = new[] { "Admin" } });
        var application = created.Headers.Location!.OriginalString;

        var rotated = await client.PostJsonAsync($"{application}/secrets", "{}");
        await rotated.ExpectAsync(HttpStatusCode.Created);
        Assert.StartsWith($"{application}/secrets/", rotated.Headers.Location!.OriginalString, StringComparison.Ordinal);

        using var stale = new HttpRequestMessage(HttpMethod.Patch, application) { Content = JsonContent.Create(new { applicationName = "Stale" }) };
        stale.Headers.TryAddWithoutValidation("If-Match", created.Headers.ETag!.ToString());
        await (await client.SendAsync(stale)).ExpectProblemAsync(HttpStatusCode.PreconditionFailed);
        using var patch = new HttpRequestMessage(HttpMethod.Patch, application) { Content = JsonContent.Create(new { applicationName = "Renamed" }) };
        patch.Headers.TryAddWithoutValidation("If-Match", rotated.Headers.ETag!.ToString());
        var patched = await (await client.SendAsync(patch)).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("Renamed", patched.GetProperty("applicationName").GetString());
    }

    [Fact]
    public async Task Secret_lists_are_paged_in_creation_order()
    {
        await app.ReadyAsync();
        using var client = Admin();
        var created = await CreateApplicationAsync(client);
        var secrets = $"{Applications}/{created.GetProperty("id").GetString()}/secrets";
        var issued = new List<string> { created.GetProperty("secretId").GetString()! };
        for (var i = 0; i < 2; i++)
        {
            issued.Add((await (await client.PostJsonAsync(secrets, "{}")).ExpectAsync(HttpStatusCode.Created)).GetProperty("secretId").GetString()!);
            Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"{secrets}/{issued[^2]}")).StatusCode);
        }

        var pages = await client.ReadPagesAsync(secrets, 2);

        Assert.Equal([2, 1], pages.Select(page => page.Count));
        Assert.Equal(issued, pages.SelectMany(page => page).Select(s => s.GetProperty("secretId").GetString()));
        await (await client.GetAsync($"{secrets}?pageSize=201")).ExpectProblemAsync(HttpStatusCode.BadRequest);
        await (await client.GetAsync($"{secrets}?continuationToken=not-a-token")).ExpectProblemAsync(HttpStatusCode.BadRequest);
    }

    [Theory]
    [InlineData("""{"expiresInDays":0}""", "expiresInDays")]
    [InlineData("""{"expiresInDays":731}""", "expiresInDays")]
    [InlineData("""{"expiresInDays":"soon"}""", "expiresInDays")]
    [InlineData("""{"value":"chosen-by-caller"}""", "value")]
    public async Task Invalid_rotation_requests_are_refused_and_create_nothing(string json, string field)
    {
        await app.ReadyAsync();
        using var client = Admin();
        var id = (await CreateApplicationAsync(client)).GetProperty("id").GetString()!;
        var before = app.Vault.Secrets.Count;

        var problem = await (await client.PostJsonAsync($"{Applications}/{id}/secrets", json)).ExpectProblemAsync(HttpStatusCode.BadRequest);

        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
        Assert.Equal(before, app.Vault.Secrets.Count);
    }

    [Fact]
    public async Task An_invalid_rotation_request_is_refused_with_400_even_when_the_application_is_full()
    {
        await app.ReadyAsync();
        using var client = Admin();
        var secrets = $"{Applications}/{(await CreateApplicationAsync(client)).GetProperty("id").GetString()}/secrets";
        await (await client.PostJsonAsync(secrets, "{}")).ExpectAsync(HttpStatusCode.Created);

        var problem = await (await client.PostJsonAsync(secrets, """{"expiresInDays":0}""")).ExpectProblemAsync(HttpStatusCode.BadRequest);

        Assert.True(problem.GetProperty("errors").TryGetProperty("expiresInDays", out _), problem.ToString());
    }

    [Fact]
    public async Task Deleting_an_application_disables_all_its_vault_secrets()
    {
        await app.ReadyAsync();
        using var client = Admin();
        var created = await CreateApplicationAsync(client);
        var id = created.GetProperty("id").GetString()!;
        await (await client.PostJsonAsync($"{Applications}/{id}/secrets", "{}")).ExpectAsync(HttpStatusCode.Created);

        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"{Applications}/{id}")).StatusCode);

        var vaultSecrets = app.Vault.Secrets.Where(s => s.Tags.GetValueOrDefault("applicationId") == id).ToList();
        Assert.Equal(2, vaultSecrets.Count);
        Assert.All(vaultSecrets, s => Assert.False(s.Enabled));
        await (await client.GetAsync($"{Applications}/{id}/secrets")).ExpectProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task When_the_vault_is_down_creation_answers_503_and_leaves_nothing_behind()
    {
        await app.ReadyAsync();
        using var client = Admin();
        app.Vault.FailNext(100, 503);
        try
        {
            var problem = await (await client.PostJsonAsync(Applications, new { kind = "internal", vendorName = "V", applicationName = "A", scopes = new[] { "Admin" } }))
                .ExpectProblemAsync(HttpStatusCode.ServiceUnavailable);
            Assert.Contains("vault", problem.GetProperty("detail").GetString(), StringComparison.OrdinalIgnoreCase);
        }
        finally
        {
            app.Vault.FailNext(0, 503);
        }

        var list = await (await client.GetAsync(Applications)).ExpectAsync(HttpStatusCode.OK);
        Assert.Empty(list.GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task When_the_vault_is_down_revocation_answers_503_and_the_secret_stays_active_everywhere()
    {
        await app.ReadyAsync();
        using var client = Admin();
        var created = await CreateApplicationAsync(client);
        var secrets = $"{Applications}/{created.GetProperty("id").GetString()}/secrets";
        var secretId = created.GetProperty("secretId").GetString()!;

        await app.Vault.StopAsync();
        try
        {
            await (await client.DeleteAsync($"{secrets}/{secretId}")).ExpectProblemAsync(HttpStatusCode.ServiceUnavailable);
        }
        finally
        {
            await app.Vault.StartAsync();
        }

        var listed = await (await client.GetAsync(secrets)).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("active", Assert.Single(listed.GetProperty("items").EnumerateArray()).GetProperty("state").GetString());
        Assert.True(app.Vault.Secrets.Single(s => s.Name.EndsWith(secretId, StringComparison.Ordinal)).Enabled);
    }

    [Fact]
    public async Task Expired_secrets_read_expired_at_once_and_the_purge_disables_only_their_vault_versions()
    {
        await app.ReadyAsync();
        using var client = Admin();
        var created = await CreateApplicationAsync(client);
        var secrets = $"{Applications}/{created.GetProperty("id").GetString()}/secrets";
        var shortLived = await (await client.PostJsonAsync(secrets, new { expiresInDays = 1 })).ExpectAsync(HttpStatusCode.Created);

        app.Clock.Advance(TimeSpan.FromDays(2));
        try
        {
            var listed = await (await client.GetAsync(secrets)).ExpectAsync(HttpStatusCode.OK);
            Assert.Equal("expired", listed.GetProperty("items").EnumerateArray().Single(s => s.GetProperty("secretId").GetString() == shortLived.GetProperty("secretId").GetString()).GetProperty("state").GetString());
            Assert.True(app.Vault.Secrets.Single(s => s.Value == shortLived.GetProperty("clientSecret").GetString()).Enabled);

            await app.Services.GetServices<ITimerHandler>().Single(h => h.FunctionName == "PurgeExpired").RunAsync(default);

            Assert.False(app.Vault.Secrets.Single(s => s.Value == shortLived.GetProperty("clientSecret").GetString()).Enabled);
            Assert.True(app.Vault.Secrets.Single(s => s.Value == created.GetProperty("clientSecret").GetString()).Enabled);
            var after = await (await client.GetAsync(secrets)).ExpectAsync(HttpStatusCode.OK);
            Assert.Equal(["active", "expired"], after.GetProperty("items").EnumerateArray().Select(s => s.GetProperty("state").GetString()!).ToList());
        }
        finally
        {
            app.Clock.Advance(TimeSpan.FromDays(-2));
        }
    }
}
