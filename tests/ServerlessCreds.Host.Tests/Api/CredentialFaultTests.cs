using System.Net;
using ServerlessCreds.Callers;
using ServerlessCreds.Testing.Faults;
using static ServerlessCreds.Host.Tests.Audit.AuditTrailReader;

namespace ServerlessCreds.Host.Tests.Api;

/// <summary>Storage failing between the vault write and the table write, injected by a proxy in front of the real Azurite.</summary>
public sealed class CredentialFaultTests : IAsyncLifetime
{
    readonly string bu = $"bu{Guid.NewGuid():N}"[..20];
    readonly ServerlessCredsApplication app = new() { ProxyTables = true };

    FaultProxy Proxy => app.TableProxy;

    string Applications => $"/api/business-units/{bu}/applications";

    public async Task InitializeAsync()
    {
        await app.InitializeAsync();
        await app.ReadyAsync();
    }

    public Task DisposeAsync() => app.DisposeAsync().AsTask();

    static bool IsBatch(ProxiedRequest request) => request.Method == "POST" && request.Path.EndsWith("/$batch", StringComparison.Ordinal);

    static object NewApplication => new { kind = "internal", vendorName = "Contoso", applicationName = "Sync", scopes = new[] { "Admin" } };

    [Theory]
    [InlineData("/$batch")] // the application's insert, after the vault write
    [InlineData("/ClientIds")] // the client id's reservation, alongside the vault write
    public async Task A_table_failure_during_create_answers_503_and_disables_the_new_vault_secret(string failingPath)
    {
        using var client = app.CreateClient(bu, Roles.View, Roles.Create);
        Proxy.FailWhen(request => request.Method == "POST" && request.Path.EndsWith(failingPath, StringComparison.Ordinal), 503);

        await (await client.PostJsonAsync(Applications, NewApplication)).ExpectProblemAsync(HttpStatusCode.ServiceUnavailable);

        Proxy.ClearRules();
        var written = Assert.Single(app.Vault.Secrets, s => s.Tags.GetValueOrDefault("businessUnit") == bu);
        Assert.False(written.Enabled);
        var list = await (await client.GetAsync(Applications)).ExpectAsync(HttpStatusCode.OK);
        Assert.Empty(list.GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task A_lost_table_response_still_creates_exactly_one_application_with_a_working_secret()
    {
        using var client = app.CreateClient(bu, Roles.View, Roles.Create);
        Proxy.FailAfterForwardingWhen(IsBatch, 503, times: 1);

        var created = await (await client.PostJsonAsync(Applications, NewApplication)).ExpectAsync(HttpStatusCode.Created);

        var list = await (await client.GetAsync(Applications)).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(created.GetProperty("id").GetString(), Assert.Single(list.GetProperty("items").EnumerateArray()).GetProperty("id").GetString());
        var secret = Assert.Single(app.Vault.Secrets, s => s.Tags.GetValueOrDefault("businessUnit") == bu);
        Assert.True(secret.Enabled);
        Assert.Equal(created.GetProperty("clientSecret").GetString(), secret.Value);
    }

    [Fact]
    public async Task A_table_failure_during_rotation_answers_503_leaving_one_active_secret_and_the_new_one_disabled()
    {
        using var client = app.CreateClient(bu, Roles.View, Roles.Create, Roles.Edit);
        var created = await (await client.PostJsonAsync(Applications, NewApplication)).ExpectAsync(HttpStatusCode.Created);
        var secrets = $"{Applications}/{created.GetProperty("id").GetString()}/secrets";
        Proxy.FailWhen(IsBatch, 503);

        await (await client.PostJsonAsync(secrets, "{}")).ExpectProblemAsync(HttpStatusCode.ServiceUnavailable);

        Proxy.ClearRules();
        var listed = await (await client.GetAsync(secrets)).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(created.GetProperty("secretId").GetString(), Assert.Single(listed.GetProperty("items").EnumerateArray()).GetProperty("secretId").GetString());
        var vaultSecrets = app.Vault.Secrets.Where(s => s.Tags.GetValueOrDefault("businessUnit") == bu).ToList();
        Assert.Equal(2, vaultSecrets.Count);
        Assert.Single(vaultSecrets, s => s.Enabled);
        Assert.Equal(created.GetProperty("clientSecret").GetString(), vaultSecrets.Single(s => s.Enabled).Value);
    }

    [Fact]
    public async Task A_lost_table_response_during_rotation_keeps_the_new_secret()
    {
        using var client = app.CreateClient(bu, Roles.View, Roles.Create, Roles.Edit);
        var created = await (await client.PostJsonAsync(Applications, NewApplication)).ExpectAsync(HttpStatusCode.Created);
        var secrets = $"{Applications}/{created.GetProperty("id").GetString()}/secrets";
        Proxy.FailAfterForwardingWhen(IsBatch, 503, times: 1);

        var rotated = await (await client.PostJsonAsync(secrets, "{}")).ExpectAsync(HttpStatusCode.Created);

        var listed = await (await client.GetAsync(secrets)).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(2, listed.GetProperty("items").EnumerateArray().Count(s => s.GetProperty("state").GetString() == "active"));
        Assert.True(app.Vault.Secrets.Single(s => s.Value == rotated.GetProperty("clientSecret").GetString()).Enabled);
    }

    [Fact]
    public async Task A_rotation_that_reads_the_application_after_another_rotation_committed_cannot_add_a_third_active_secret()
    {
        using var client = app.CreateClient(bu, Roles.View, Roles.Create, Roles.Edit);
        var created = await (await client.PostJsonAsync(Applications, NewApplication)).ExpectAsync(HttpStatusCode.Created);
        var id = created.GetProperty("id").GetString()!;
        var secrets = $"{Applications}/{id}/secrets";
        // The first rotation's read of the application is held until a second rotation has committed.
        var release = new TaskCompletionSource();
        var held = Proxy.HoldWhen(r => r.Method == "GET" && r.Path.Contains($"RowKey='a%3A{id}'", StringComparison.Ordinal), release.Task, times: 1);

        var first = client.PostJsonAsync(secrets, "{}");
        await Eventually.TrueAsync(() => held.Hits == 1, TimeSpan.FromSeconds(5), "the first rotation's application read is held");
        await (await client.PostJsonAsync(secrets, "{}")).ExpectAsync(HttpStatusCode.Created);
        release.SetResult();
        await (await first).ExpectProblemAsync(HttpStatusCode.Conflict);

        var listed = await (await client.GetAsync(secrets)).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(2, listed.GetProperty("items").EnumerateArray().Count(s => s.GetProperty("state").GetString() == "active"));
        Assert.Equal(2, app.Vault.Secrets.Count(s => s.Tags.GetValueOrDefault("businessUnit") == bu && s.Enabled));
    }

    [Fact]
    public async Task Revoking_a_secret_whose_application_is_deleted_meanwhile_answers_404_and_recreates_nothing()
    {
        using var client = app.CreateClient(bu, Roles.View, Roles.Create, Roles.Edit, Roles.Delete, Roles.AuditView);
        var created = await (await client.PostJsonAsync(Applications, NewApplication)).ExpectAsync(HttpStatusCode.Created);
        var (id, secretId) = (created.GetProperty("id").GetString()!, created.GetProperty("secretId").GetString()!);
        var application = $"{Applications}/{id}";
        // The revoke's write of the secret row is held until the application, and that row with it, is deleted.
        var release = new TaskCompletionSource();
        var held = Proxy.HoldWhen(r => r.Method == "PUT" && r.Path.Contains($"s%3A{id}%3A{secretId}", StringComparison.Ordinal), release.Task, times: 1);

        var revoke = client.DeleteAsync($"{application}/secrets/{secretId}");
        await Eventually.TrueAsync(() => held.Hits == 1, TimeSpan.FromSeconds(5), "the revoke's write is held");
        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync(application)).StatusCode);
        release.SetResult();
        var problem = await (await revoke).ExpectProblemAsync(HttpStatusCode.NotFound);

        Assert.Contains("secret", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        await (await client.GetAsync($"{application}/secrets")).ExpectProblemAsync(HttpStatusCode.NotFound);
        Assert.False(Assert.Single(app.Vault.Secrets, s => s.Tags.GetValueOrDefault("businessUnit") == bu).Enabled);
        var revoked = Assert.Single(await ReadAsync(client, bu), e => e.GetProperty("action").GetString() == "secret.revoked");
        Assert.Equal("failed", revoked.GetProperty("outcome").GetString());
    }
}
