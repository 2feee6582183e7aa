using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ServerlessCreds.Callers;
using ServerlessCreds.Testing.Faults;
using static ServerlessCreds.Host.Tests.Audit.AuditTrailReader;

namespace ServerlessCreds.Host.Tests.Api;

/// <summary>
/// Storage failing, or another request landing, between the vault step and the table write (create, rotation, revoke,
/// delete), injected by a proxy in front of the real Azurite: whatever happens the vault and the tables must end up
/// telling the same story.
/// </summary>
public sealed class CredentialFaultTests : IAsyncLifetime
{
    static readonly TimeSpan HeldWithin = TimeSpan.FromSeconds(10);

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
    public async Task A_create_whose_table_write_is_refused_with_400_disables_the_new_vault_secret()
    {
        using var client = app.CreateClient(bu, Roles.View, Roles.Create);
        Proxy.FailWhen(IsBatch, 400);

        await (await client.PostJsonAsync(Applications, NewApplication)).ExpectProblemAsync(HttpStatusCode.InternalServerError);

        Proxy.ClearRules();
        Assert.False(Assert.Single(VaultSecrets()).Enabled);
        var list = await (await client.GetAsync(Applications)).ExpectAsync(HttpStatusCode.OK);
        Assert.Empty(list.GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task A_rotation_whose_table_write_is_refused_with_400_disables_the_new_vault_secret()
    {
        using var client = Admin();
        var created = await CreateAsync(client);
        var secrets = $"{Applications}/{created.GetProperty("id").GetString()}/secrets";
        Proxy.FailWhen(IsBatch, 400);

        await (await client.PostJsonAsync(secrets, "{}")).ExpectProblemAsync(HttpStatusCode.InternalServerError);

        Proxy.ClearRules();
        Assert.Equal("active", Assert.Single(await SecretStatesAsync(client, $"{Applications}/{created.GetProperty("id").GetString()}")).Value);
        Assert.Equal(created.GetProperty("clientSecret").GetString(), Assert.Single(VaultSecrets(), s => s.Enabled).Value);
    }

    [Fact]
    public async Task A_create_cancelled_during_its_table_write_disables_the_new_vault_secret()
    {
        using var client = Admin();
        // The insert is held until the caller gives up; its proxy request is then aborted, never forwarded.
        var held = Proxy.HoldWhen(IsBatch, new TaskCompletionSource().Task, times: 1);
        using var giveUp = new CancellationTokenSource();

        var create = client.PostAsync(Applications, JsonContent.Create(NewApplication), giveUp.Token);
        await Eventually.TrueAsync(() => held.Hits == 1, HeldWithin, "the insert is held");
        await giveUp.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => create);

        await Eventually.TrueAsync(() => VaultSecrets() is [{ Enabled: false }], HeldWithin, "the new vault secret is disabled");
        var list = await (await client.GetAsync(Applications)).ExpectAsync(HttpStatusCode.OK);
        Assert.Empty(list.GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task A_create_whose_write_was_applied_but_whose_retries_failed_answers_503_and_its_secret_reads_revoked()
    {
        using var client = Admin();
        Proxy.FailAfterForwardingWhen(IsBatch, 503, times: 1);
        Proxy.FailWhen(IsBatch, 503, times: 3);

        await (await client.PostJsonAsync(Applications, NewApplication)).ExpectProblemAsync(HttpStatusCode.ServiceUnavailable);

        Proxy.ClearRules();
        var application = Assert.Single((await (await client.GetAsync(Applications)).ExpectAsync(HttpStatusCode.OK)).GetProperty("items").EnumerateArray());
        Assert.Equal("revoked", Assert.Single(await SecretStatesAsync(client, $"{Applications}/{application.GetProperty("id").GetString()}")).Value);
        Assert.False(Assert.Single(VaultSecrets()).Enabled);
        var audit = await AuditAsync(client, bu);
        Assert.Equal(("application.created", "failed"), Assert.Single(audit, e => e.Action == "application.created"));
        Assert.Equal(("secret.revoked", "succeeded"), Assert.Single(audit, e => e.Action == "secret.revoked"));
    }

    [Fact]
    public async Task A_rotation_whose_write_was_applied_but_whose_retries_failed_answers_503_and_the_new_secret_reads_revoked()
    {
        using var client = Admin();
        var created = await CreateAsync(client);
        var application = $"{Applications}/{created.GetProperty("id").GetString()}";
        Proxy.FailAfterForwardingWhen(IsBatch, 503, times: 1);
        Proxy.FailWhen(IsBatch, 503, times: 3);

        await (await client.PostJsonAsync($"{application}/secrets", "{}")).ExpectProblemAsync(HttpStatusCode.ServiceUnavailable);

        Proxy.ClearRules();
        var states = await SecretStatesAsync(client, application);
        Assert.Equal(["active", "revoked"], states.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => s.Value));
        Assert.Equal(created.GetProperty("clientSecret").GetString(), Assert.Single(VaultSecrets(), s => s.Enabled).Value);
        // The slot is free again: the caller's retry adds the second active secret.
        await (await client.PostJsonAsync($"{application}/secrets", "{}")).ExpectAsync(HttpStatusCode.Created);
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

    // The delete's conditional write: the only transaction that deletes (a rotation's replaces and inserts).
    static bool IsDeleteWrite(ProxiedRequest request) =>
        request.Method == "POST" && request.Path.EndsWith("/$batch", StringComparison.Ordinal) && request.BodyText.Contains("\r\nDELETE ", StringComparison.Ordinal);

    HttpClient Admin() => app.CreateClient(bu, Roles.View, Roles.Create, Roles.Edit, Roles.Delete, Roles.AuditView);

    async Task<JsonElement> CreateAsync(HttpClient client) =>
        await (await client.PostJsonAsync(Applications, NewApplication)).ExpectAsync(HttpStatusCode.Created);

    List<Testing.KeyVault.TestVaultSecret> VaultSecrets() => app.Vault.Secrets.Where(s => s.Tags.GetValueOrDefault("businessUnit") == bu).ToList();

    static async Task<Dictionary<string, string>> SecretStatesAsync(HttpClient client, string application)
    {
        var listed = await (await client.GetAsync($"{application}/secrets")).ExpectAsync(HttpStatusCode.OK);
        return listed.GetProperty("items").EnumerateArray().ToDictionary(s => s.GetProperty("secretId").GetString()!, s => s.GetProperty("state").GetString()!);
    }

    /// <summary>Deletes <paramref name="application"/>, its table write held until <paramref name="meanwhile"/> has finished.</summary>
    async Task<HttpResponseMessage> DeleteHeldWhileAsync(HttpClient client, string application, Func<Task> meanwhile)
    {
        var release = new TaskCompletionSource();
        var held = Proxy.HoldWhen(IsDeleteWrite, release.Task, times: 1);
        var delete = client.DeleteAsync(application);
        await Eventually.TrueAsync(() => held.Hits == 1, HeldWithin, "the delete's write is held");
        await meanwhile();
        release.SetResult();
        return await delete;
    }

    static async Task<List<(string Action, string Outcome)>> AuditAsync(HttpClient client, string businessUnit) =>
        [.. (await ReadAsync(client, businessUnit)).Select(e => (e.GetProperty("action").GetString()!, e.GetProperty("outcome").GetString()!))];

    [Fact]
    public async Task A_delete_whose_write_loses_to_a_rotation_reads_again_and_disables_the_new_secret_too()
    {
        using var client = Admin();
        var created = await CreateAsync(client);
        var application = $"{Applications}/{created.GetProperty("id").GetString()}";
        // The delete's write, its secret's vault version already disabled, is held until a rotation has committed.
        JsonElement rotated = default;
        var delete = await DeleteHeldWhileAsync(client, application, async () =>
            rotated = await (await client.PostJsonAsync($"{application}/secrets", "{}")).ExpectAsync(HttpStatusCode.Created));
        await delete.ExpectAsync(HttpStatusCode.NoContent);

        await (await client.GetAsync(application)).ExpectProblemAsync(HttpStatusCode.NotFound);
        var vault = VaultSecrets();
        Assert.Equal(
            new[] { created.GetProperty("clientSecret").GetString(), rotated.GetProperty("clientSecret").GetString() }.Order(),
            vault.Select(s => s.Value).Order());
        Assert.All(vault, s => Assert.False(s.Enabled, "every secret of a deleted application is disabled"));
        var audit = await AuditAsync(client, bu);
        Assert.Equal(("application.deleted", "succeeded"), Assert.Single(audit, e => e.Action == "application.deleted"));
        Assert.Equal(("secret.created", "succeeded"), Assert.Single(audit, e => e.Action == "secret.created"));
    }

    [Fact]
    public async Task A_delete_that_loses_every_try_answers_409_and_only_the_secrets_it_disabled_read_revoked()
    {
        using var client = Admin();
        var created = await CreateAsync(client);
        var application = $"{Applications}/{created.GetProperty("id").GetString()}";
        var firstSecret = created.GetProperty("secretId").GetString()!;
        // Each of the delete's three writes is held until another change has committed: two renames, then a rotation.
        var release = new TaskCompletionSource();
        var held = Proxy.HoldWhen(IsDeleteWrite, release.Task, times: 1);

        var delete = client.DeleteAsync(application);
        foreach (var name in new[] { "Renamed once", "Renamed twice" })
        {
            await Eventually.TrueAsync(() => held.Hits == 1, HeldWithin, $"the delete's write is held before '{name}'");
            await (await client.PatchAsJsonAsync(application, new { applicationName = name })).ExpectAsync(HttpStatusCode.OK);
            // The next hold is in place before this one lets go, so the retry's write is held too.
            var released = release;
            release = new TaskCompletionSource();
            held = Proxy.HoldWhen(IsDeleteWrite, release.Task, times: 1);
            released.SetResult();
        }

        await Eventually.TrueAsync(() => held.Hits == 1, HeldWithin, "the delete's last write is held");
        var rotated = await (await client.PostJsonAsync($"{application}/secrets", "{}")).ExpectAsync(HttpStatusCode.Created);
        var rotatedSecret = rotated.GetProperty("secretId").GetString()!;
        release.SetResult();
        await (await delete).ExpectProblemAsync(HttpStatusCode.Conflict);

        // The application stays, renamed; the secret the delete disabled says so, the one added after its last read works.
        var kept = await (await client.GetAsync(application)).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("Renamed twice", kept.GetProperty("applicationName").GetString());
        Assert.Equal(
            new Dictionary<string, string> { [firstSecret] = "revoked", [rotatedSecret] = "active" },
            await SecretStatesAsync(client, application));
        var vault = VaultSecrets();
        Assert.False(vault.Single(s => s.Value == created.GetProperty("clientSecret").GetString()).Enabled);
        Assert.True(vault.Single(s => s.Value == rotated.GetProperty("clientSecret").GetString()).Enabled);
        var audit = await AuditAsync(client, bu);
        Assert.Equal(("application.deleted", "failed"), Assert.Single(audit, e => e.Action == "application.deleted"));
        Assert.Equal(("secret.revoked", "succeeded"), Assert.Single(audit, e => e.Action == "secret.revoked"));
        Assert.Equal(2, audit.Count(e => e == ("application.updated", "succeeded")));

        // The caller's retry completes the delete.
        await (await client.DeleteAsync(application)).ExpectAsync(HttpStatusCode.NoContent);
        Assert.All(VaultSecrets(), s => Assert.False(s.Enabled));
        Assert.Equal(2, (await AuditAsync(client, bu)).Count(e => e.Action == "application.deleted"));
    }

    [Fact]
    public async Task A_storage_failure_on_the_delete_write_answers_503_and_the_secret_it_disabled_reads_revoked()
    {
        using var client = Admin();
        var created = await CreateAsync(client);
        var application = $"{Applications}/{created.GetProperty("id").GetString()}";
        Proxy.FailWhen(IsDeleteWrite, 503);

        await (await client.DeleteAsync(application)).ExpectProblemAsync(HttpStatusCode.ServiceUnavailable);

        await (await client.GetAsync(application)).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("revoked", Assert.Single(await SecretStatesAsync(client, application)).Value);
        Assert.False(Assert.Single(VaultSecrets()).Enabled);
        var audit = await AuditAsync(client, bu);
        Assert.Equal(("application.deleted", "failed"), Assert.Single(audit, e => e.Action == "application.deleted"));
        Assert.Equal(("secret.revoked", "succeeded"), Assert.Single(audit, e => e.Action == "secret.revoked"));

        Proxy.ClearRules();
        await (await client.DeleteAsync(application)).ExpectAsync(HttpStatusCode.NoContent);
        await (await client.GetAsync(application)).ExpectProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_delete_whose_write_applied_but_whose_response_was_lost_answers_204_with_the_application_gone_and_its_secret_disabled()
    {
        using var client = Admin();
        var created = await CreateAsync(client);
        var application = $"{Applications}/{created.GetProperty("id").GetString()}";
        // Storage applies the write; the client sees 503 and its retry finds the application gone.
        var lost = Proxy.FailAfterForwardingWhen(IsDeleteWrite, 503, times: 1);

        await (await client.DeleteAsync(application)).ExpectAsync(HttpStatusCode.NoContent);

        Assert.Equal(1, lost.Hits);
        await (await client.GetAsync(application)).ExpectProblemAsync(HttpStatusCode.NotFound);
        await (await client.GetAsync($"{application}/secrets")).ExpectProblemAsync(HttpStatusCode.NotFound);
        Assert.False(Assert.Single(VaultSecrets()).Enabled);
        var audit = await AuditAsync(client, bu);
        Assert.Equal(("application.deleted", "succeeded"), Assert.Single(audit, e => e.Action == "application.deleted"));
        Assert.DoesNotContain(audit, e => e.Action == "secret.revoked");
    }

    [Fact]
    public async Task Two_deletes_at_once_both_answer_204_and_a_third_answers_404()
    {
        using var client = Admin();
        var created = await CreateAsync(client);
        var application = $"{Applications}/{created.GetProperty("id").GetString()}";
        // The first delete's write waits until the second delete has finished; it then finds the application gone.
        var first = await DeleteHeldWhileAsync(client, application, async () =>
            await (await client.DeleteAsync(application)).ExpectAsync(HttpStatusCode.NoContent));
        await first.ExpectAsync(HttpStatusCode.NoContent);

        await (await client.DeleteAsync(application)).ExpectProblemAsync(HttpStatusCode.NotFound);
        Assert.False(Assert.Single(VaultSecrets()).Enabled);
        var audit = await AuditAsync(client, bu);
        Assert.Equal(2, audit.Count(e => e == ("application.deleted", "succeeded")));
        Assert.DoesNotContain(audit, e => e.Action == "secret.revoked");
    }
}
