using System.Net;
using System.Text;
using System.Text.Json;
using ServerlessCreds.Adapters.Storage;
using ServerlessCreds.Adapters.Tables;
using Microsoft.Extensions.DependencyInjection;
using ServerlessCreds.Callers;
using ServerlessCreds.Host.Functions;
using ServerlessCreds.Host.Tests.Api;
using ServerlessCreds.Host.Tests.SecretEmails;

namespace ServerlessCreds.Host.Tests.Idempotency;

public sealed class IdempotencyTests(ServerlessCredsApplication app) : IClassFixture<ServerlessCredsApplication>
{
    readonly SecretEmailFlow flow = new(app);

    string Applications => flow.Applications;

    static string NewApplication(string name = "Billing sync") =>
        JsonSerializer.Serialize(new { kind = "internal", vendorName = "Contoso", applicationName = name, scopes = new[] { "Admin" } });

    static string NewKey() => $"key-{Guid.NewGuid()}";

    static Task<HttpResponseMessage> PostAsync(HttpClient client, string url, string key, string json)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        request.Headers.TryAddWithoutValidation("Idempotency-Key", key);
        return client.SendAsync(request);
    }

    static bool IsReplay(HttpResponseMessage response) => response.Headers.TryGetValues("Idempotent-Replayed", out var values) && values.Single() == "true";

    async Task<int> CountApplicationsAsync(HttpClient client) =>
        (await (await client.GetAsync(Applications)).ExpectAsync(HttpStatusCode.OK)).GetProperty("items").GetArrayLength();

    int VaultSecrets => app.Vault.Secrets.Count(s => s.Tags.GetValueOrDefault("businessUnit") == flow.BusinessUnit);

    static async Task AssertSameResponseAsync(HttpResponseMessage first, HttpResponseMessage repeat)
    {
        Assert.Equal(first.StatusCode, repeat.StatusCode);
        Assert.Equal(await first.Content.ReadAsStringAsync(), await repeat.Content.ReadAsStringAsync());
        Assert.Equal(first.Headers.Location, repeat.Headers.Location);
        Assert.Equal(first.Headers.ETag, repeat.Headers.ETag);
        Assert.Equal(first.Content.Headers.ContentType, repeat.Content.Headers.ContentType);
        Assert.False(IsReplay(first));
        Assert.True(IsReplay(repeat));
    }

    [Fact]
    public async Task A_repeated_application_creation_replays_the_first_response_with_its_secret_and_creates_nothing_more()
    {
        await app.ReadyAsync();
        using var client = flow.Admin();
        var key = NewKey();

        using var first = await PostAsync(client, Applications, key, NewApplication());
        using var repeat = await PostAsync(client, Applications, key, NewApplication());

        await first.ExpectAsync(HttpStatusCode.Created);
        await AssertSameResponseAsync(first, repeat);
        Assert.Equal(40, (await repeat.ReadJsonAsync()).GetProperty("clientSecret").GetString()!.Length);
        Assert.Equal(1, await CountApplicationsAsync(client));
        Assert.Equal(1, VaultSecrets);
    }

    [Fact]
    public async Task A_repeated_secret_rotation_replays_the_same_new_secret()
    {
        await app.ReadyAsync();
        using var client = flow.Admin();
        var secrets = $"{Applications}/{(await flow.CreateApplicationAsync(client)).GetProperty("id").GetString()}/secrets";
        var key = NewKey();

        using var first = await PostAsync(client, secrets, key, """{ "expiresInDays": 30 }""");
        using var repeat = await PostAsync(client, secrets, key, """{ "expiresInDays": 30 }""");

        await first.ExpectAsync(HttpStatusCode.Created);
        await AssertSameResponseAsync(first, repeat);
        Assert.Equal(2, (await (await client.GetAsync(secrets)).ExpectAsync(HttpStatusCode.OK)).GetProperty("items").GetArrayLength());
        Assert.Equal(2, VaultSecrets);
    }

    [Fact]
    public async Task A_repeated_secret_email_request_replays_the_delivery_and_sends_one_email()
    {
        await app.ReadyAsync();
        using var client = flow.Admin();
        var emails = $"{Applications}/{(await flow.CreateApplicationAsync(client)).GetProperty("id").GetString()}/secret-emails";
        var body = """{ "recipientEmail": "repeat@customer.example" }""";
        var key = NewKey();

        using var first = await PostAsync(client, emails, key, body);
        using var repeat = await PostAsync(client, emails, key, body);

        await first.ExpectAsync(HttpStatusCode.Accepted);
        await AssertSameResponseAsync(first, repeat);
        await SecretEmailFlow.WaitForStatusAsync(client, first.Headers.Location!.OriginalString, "sent");
        await flow.WaitUntilQueueSettledAsync();
        Assert.Single(flow.EmailsTo("repeat@customer.example"));
        Assert.Single(flow.SendAttemptsFor(first.Headers.Location!.OriginalString));
    }

    [Fact]
    public async Task Repeated_scope_and_external_application_creations_replay_instead_of_conflicting_or_duplicating()
    {
        await app.ReadyAsync();
        using var admin = app.CreateClient(null, Roles.PlatformAdmin);
        var scope = JsonSerializer.Serialize(new { name = $"Scope{Guid.NewGuid():N}"[..20], displayName = "Reports", description = "Read reports." });
        var external = JsonSerializer.Serialize(new { vendorName = "Fabrikam", applicationName = $"Portal {Guid.NewGuid()}", description = "A portal.", scopes = new[] { "Admin" } });
        var scopeKey = NewKey();
        var externalKey = NewKey();

        using var firstScope = await PostAsync(admin, "/api/scopes", scopeKey, scope);
        using var repeatScope = await PostAsync(admin, "/api/scopes", scopeKey, scope);
        using var firstExternal = await PostAsync(admin, "/api/external-applications", externalKey, external);
        using var repeatExternal = await PostAsync(admin, "/api/external-applications", externalKey, external);

        await firstScope.ExpectAsync(HttpStatusCode.Created);
        await AssertSameResponseAsync(firstScope, repeatScope);
        await firstExternal.ExpectAsync(HttpStatusCode.Created);
        await AssertSameResponseAsync(firstExternal, repeatExternal);
        var catalog = await (await admin.GetAsync("/api/external-applications")).ExpectAsync(HttpStatusCode.OK);
        Assert.Single(catalog.GetProperty("items").EnumerateArray(), a => a.GetProperty("applicationName").GetString() == JsonDocument.Parse(external).RootElement.GetProperty("applicationName").GetString());
    }

    [Fact]
    public async Task The_same_key_with_another_body_gets_422_and_creates_nothing()
    {
        await app.ReadyAsync();
        using var client = flow.Admin();
        var key = NewKey();
        await (await PostAsync(client, Applications, key, NewApplication("First"))).ExpectAsync(HttpStatusCode.Created);

        var problem = await (await PostAsync(client, Applications, key, NewApplication("Second"))).ExpectProblemAsync(HttpStatusCode.UnprocessableEntity);

        Assert.Contains("different request body", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(1, await CountApplicationsAsync(client));
    }

    [Fact]
    public async Task Concurrent_requests_with_one_key_create_exactly_one_application_and_all_get_its_response()
    {
        await app.ReadyAsync();
        using var client = flow.Admin();
        var key = NewKey();

        var responses = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => Task.Run(() => PostAsync(client, Applications, key, NewApplication()))));

        var bodies = await Task.WhenAll(responses.Select(r => r.ExpectAsync(HttpStatusCode.Created)));
        Assert.Single(bodies.Select(b => b.GetRawText()).Distinct());
        Assert.Single(responses, r => !IsReplay(r));
        Assert.Equal(1, await CountApplicationsAsync(client));
        Assert.Equal(1, VaultSecrets);
    }

    [Fact]
    public async Task Concurrent_secret_email_requests_with_one_key_send_exactly_one_email()
    {
        await app.ReadyAsync();
        using var client = flow.Admin();
        var emails = $"{Applications}/{(await flow.CreateApplicationAsync(client)).GetProperty("id").GetString()}/secret-emails";
        var body = """{ "recipientEmail": "double-click@customer.example" }""";
        var key = NewKey();

        var responses = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => Task.Run(() => PostAsync(client, emails, key, body))));

        await Task.WhenAll(responses.Select(r => r.ExpectAsync(HttpStatusCode.Accepted)));
        var delivery = Assert.Single(responses.Select(r => r.Headers.Location!.OriginalString).Distinct());
        await SecretEmailFlow.WaitForStatusAsync(client, delivery, "sent");
        await flow.WaitUntilQueueSettledAsync();
        Assert.Single(flow.EmailsTo("double-click@customer.example"));
        Assert.Single(flow.SendAttemptsFor(delivery));
    }

    [Fact]
    public async Task A_key_belongs_to_its_caller_so_another_callers_same_key_creates_its_own_application()
    {
        await app.ReadyAsync();
        using var alice = flow.Admin();
        using var bob = flow.Admin();
        var key = NewKey();

        var fromAlice = await (await PostAsync(alice, Applications, key, NewApplication())).ExpectAsync(HttpStatusCode.Created);
        using var bobsResponse = await PostAsync(bob, Applications, key, NewApplication());

        var fromBob = await bobsResponse.ExpectAsync(HttpStatusCode.Created);
        Assert.False(IsReplay(bobsResponse));
        Assert.NotEqual(fromAlice.GetProperty("id").GetString(), fromBob.GetProperty("id").GetString());
        Assert.NotEqual(fromAlice.GetProperty("clientSecret").GetString(), fromBob.GetProperty("clientSecret").GetString());
        Assert.Equal(2, await CountApplicationsAsync(alice));
    }

    [Fact]
    public async Task The_stored_row_holds_neither_the_client_secret_nor_the_request_in_plain_text()
    {
        await app.ReadyAsync();
        using var client = flow.Admin();
        var created = await (await PostAsync(client, Applications, NewKey(), NewApplication("Plaintext probe"))).ExpectAsync(HttpStatusCode.Created);
        var secret = created.GetProperty("clientSecret").GetString()!;

        var table = new TableClient(StorageAccount.Parse(app.Azurite.ConnectionString), "Idempotency");
        var rows = await table.ReadAllAsync();

        var row = Assert.Single(rows, r => r.GetString("ResponseLocation") == $"{Applications}/{created.GetProperty("id").GetString()}");
        Assert.Equal(201, row.GetInt32("ResponseStatus"));
        var stored = rows.SelectMany(r => r.Properties.Values).Select(v => v is byte[] bytes ? Encoding.UTF8.GetString(bytes) + Convert.ToBase64String(bytes) : $"{v}");
        Assert.DoesNotContain(stored, v => v.Contains(secret, StringComparison.Ordinal) || v.Contains("Plaintext probe", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_vault_outage_releases_the_key_so_a_retry_with_it_succeeds()
    {
        await app.ReadyAsync();
        using var client = flow.Admin();
        // Load the vault key, so the outage hits the creation itself rather than the reservation.
        await (await PostAsync(client, Applications, NewKey(), NewApplication("Warm-up"))).ExpectAsync(HttpStatusCode.Created);
        var key = NewKey();

        app.Vault.FailNext(100, 503);
        try
        {
            await (await PostAsync(client, Applications, key, NewApplication())).ExpectProblemAsync(HttpStatusCode.ServiceUnavailable);
        }
        finally
        {
            app.Vault.FailNext(0, 503);
        }

        Assert.Equal(1, await CountApplicationsAsync(client));
        using var retry = await PostAsync(client, Applications, key, NewApplication());
        await retry.ExpectAsync(HttpStatusCode.Created);
        Assert.False(IsReplay(retry));
        Assert.Equal(2, await CountApplicationsAsync(client));
    }

    [Fact]
    public async Task A_validation_error_does_not_spend_the_key_so_the_corrected_request_can_use_it()
    {
        await app.ReadyAsync();
        using var client = flow.Admin();
        var key = NewKey();

        await (await PostAsync(client, Applications, key, """{ "kind": "internal", "vendorName": "Contoso", "applicationName": "Sync", "scopes": [] }"""))
            .ExpectProblemAsync(HttpStatusCode.BadRequest);
        using var corrected = await PostAsync(client, Applications, key, NewApplication());

        await corrected.ExpectAsync(HttpStatusCode.Created);
        Assert.False(IsReplay(corrected));
        Assert.Equal(1, await CountApplicationsAsync(client));
    }

    [Theory]
    [InlineData("delete\u007f")]
    [InlineData("tab\tinside")]
    [InlineData("naïve")]
    public async Task A_malformed_key_gets_400_and_creates_nothing(string key)
    {
        await app.ReadyAsync();
        using var client = flow.Admin();

        var problem = await (await PostAsync(client, Applications, key, NewApplication())).ExpectProblemAsync(HttpStatusCode.BadRequest);

        Assert.Contains("Idempotency-Key", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, await CountApplicationsAsync(client));
    }

    [Fact]
    public async Task A_key_of_255_characters_is_accepted_and_one_of_256_is_not()
    {
        await app.ReadyAsync();
        using var client = flow.Admin();

        await (await PostAsync(client, Applications, new string('k', 255), NewApplication())).ExpectAsync(HttpStatusCode.Created);
        await (await PostAsync(client, Applications, new string('k', 256), NewApplication())).ExpectProblemAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task After_24_hours_the_key_is_forgotten_and_the_same_request_creates_again()
    {
        await app.ReadyAsync();
        using var client = flow.Admin();
        var key = NewKey();
        var first = await (await PostAsync(client, Applications, key, NewApplication())).ExpectAsync(HttpStatusCode.Created);

        app.Clock.Advance(TimeSpan.FromHours(23));
        using var withinDay = await PostAsync(client, Applications, key, NewApplication());
        Assert.True(IsReplay(withinDay));
        app.Clock.Advance(TimeSpan.FromHours(1));
        using var afterDay = await PostAsync(client, Applications, key, NewApplication());

        var second = await afterDay.ExpectAsync(HttpStatusCode.Created);
        Assert.False(IsReplay(afterDay));
        Assert.NotEqual(first.GetProperty("id").GetString(), second.GetProperty("id").GetString());
        Assert.Equal(2, await CountApplicationsAsync(client));
    }

    [Fact]
    public async Task The_purge_function_deletes_keys_past_their_24_hours()
    {
        await app.ReadyAsync();
        using var client = flow.Admin();
        var created = await (await PostAsync(client, Applications, NewKey(), NewApplication())).ExpectAsync(HttpStatusCode.Created);
        var table = new TableClient(StorageAccount.Parse(app.Azurite.ConnectionString), "Idempotency");
        var location = $"{Applications}/{created.GetProperty("id").GetString()}";
        async Task<bool> StoredAsync() => (await table.ReadAllAsync()).Any(r => r.GetString("ResponseLocation") == location);
        var purge = app.Services.GetServices<ITimerHandler>().Single(h => h.FunctionName == "PurgeExpired");

        await purge.RunAsync(default);
        Assert.True(await StoredAsync());
        app.Clock.Advance(TimeSpan.FromHours(24));
        await purge.RunAsync(default);

        Assert.False(await StoredAsync());
    }
}
