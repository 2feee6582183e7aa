using System.Net;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using ServerlessCreds.Adapters.Queues;
using ServerlessCreds.Adapters.Storage;
using ServerlessCreds.Adapters.Tables;
using ServerlessCreds.Callers;
using ServerlessCreds.Host.Functions;
using ServerlessCreds.Host.Tests.Api;
using ServerlessCreds.Host.Tests.SecretEmails;

namespace ServerlessCreds.Host.Tests.Security;

/// <summary>
/// The whole flow at Trace logging (create, rotate, email, reveal as JSON and as a page, failures, purge, audit, delete):
/// client secrets appear only in the responses that create or reveal them, link tokens only in the email body, passphrases
/// nowhere (not in any table, the audit log's included). Runs as under the Functions host, so no listener takes the queue
/// message before the test has read it.
/// </summary>
public sealed class SecretLeakTests : IAsyncLifetime
{
    const string Passphrase = "correct horse battery";
    readonly ServerlessCredsApplication app = new() { Settings = new Dictionary<string, string?> { ["FUNCTIONS_CUSTOMHANDLER_PORT"] = "7071" } };
    readonly List<string> otherBodies = [];
    readonly List<string> problemBodies = [];

    public async Task InitializeAsync()
    {
        await app.InitializeAsync();
        await app.ReadyAsync();
    }

    public Task DisposeAsync() => app.DisposeAsync().AsTask();

    [Fact]
    public async Task No_secret_token_or_passphrase_reaches_logs_tables_queues_problems_or_other_responses()
    {
        var flow = new SecretEmailFlow(app);
        using var client = flow.Admin();
        using var anonymous = app.CreateClient();
        var queues = StorageAccount.Parse(app.Azurite.ConnectionString);
        var queueTexts = new List<string>();

        var created = await flow.CreateApplicationAsync(client);
        var id = created.GetProperty("id").GetString()!;
        var secrets = new List<string> { created.GetProperty("clientSecret").GetString()! };
        var rotated = await (await client.PostJsonAsync($"{flow.Applications}/{id}/secrets", "{}")).ExpectAsync(HttpStatusCode.Created);
        secrets.Add(rotated.GetProperty("clientSecret").GetString()!);

        // Two emails: one revealed as JSON with the passphrase, one revealed through the HTML page.
        var tokens = new List<string>();
        foreach (var (recipient, body) in new (string, object)[]
        {
            ("json@customer.example", new { recipientEmail = "json@customer.example", passphrase = Passphrase }),
            ("page@customer.example", new { recipientEmail = "page@customer.example", secretId = rotated.GetProperty("secretId").GetString() }),
        })
        {
            var delivery = await flow.RequestAsync(client, id, body);
            var queue = new QueueClient(queues, SecretEmailRequests.QueueName);
            queueTexts.AddRange((await queue.PeekAsync(32)).Select(m => m.Text ?? ""));
            var message = Assert.Single(await queue.ReceiveAsync(32, TimeSpan.FromSeconds(30)));
            await Record(anonymous.PostAsync("/SendSecretEmail", new StringContent(
                FunctionsHostPayload.Queue("SendSecretEmail", message.Text!, message.MessageId, message.DequeueCount), Encoding.UTF8, "application/json")));
            await Record(client.GetAsync(delivery));
            var email = Assert.Single(flow.EmailsTo(recipient));
            tokens.Add(SecretEmailFlow.TokenIn(email));
            Assert.DoesNotContain(tokens[^1], email.Subject, StringComparison.Ordinal);
        }

        var (jsonReveal, pageReveal) = (tokens[0], tokens[1]);
        await Record(anonymous.PostJsonAsync($"/api/one-time-secrets/{jsonReveal}/reveal", "{}"));
        await Record(anonymous.PostJsonAsync($"/api/one-time-secrets/{jsonReveal}/reveal", new { passphrase = "wrong guess" }));
        await Record(anonymous.PostJsonAsync($"/api/one-time-secrets/{jsonReveal}/reveal", new { passphrase = Passphrase, token = jsonReveal }));
        var revealedJson = await (await anonymous.PostJsonAsync($"/api/one-time-secrets/{jsonReveal}/reveal", new { passphrase = Passphrase })).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(secrets[0], revealedJson.GetProperty("clientSecret").GetString());
        await Record(anonymous.PostJsonAsync($"/api/one-time-secrets/{jsonReveal}/reveal", new { passphrase = Passphrase }));
        await Record(anonymous.GetAsync($"/s/{pageReveal}"));
        app.Vault.FailNext(100, 503);
        await Record(anonymous.PostAsync($"/s/{pageReveal}", new FormUrlEncodedContent([])));
        await Record(anonymous.PostJsonAsync($"/api/one-time-secrets/{pageReveal}/reveal", "{}"));
        app.Vault.FailNext(0, 503);
        var page = await anonymous.PostAsync($"/s/{pageReveal}", new FormUrlEncodedContent([]));
        Assert.Contains(secrets[1], await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await Record(anonymous.PostAsync($"/s/{pageReveal}", new FormUrlEncodedContent([])));
        await Record(anonymous.PostJsonAsync($"/api/one-time-secrets/{new string('A', 43)}/reveal", "{}"));

        await Record(client.PostJsonAsync($"{flow.Applications}/{id}/secret-emails", new { recipientEmail = "x@customer.example", passphrase = new string('p', 300) }));
        await Record(client.PostJsonAsync($"{flow.Applications}/{id}/secret-emails", $$"""{"recipientEmail":"x@customer.example","clientSecret":"{{secrets[0]}}"}"""));
        await Record(client.GetAsync($"{flow.Applications}/{id}"));
        await Record(client.GetAsync($"{flow.Applications}/{id}/secrets"));
        await Record(client.GetAsync(flow.Applications));
        app.Vault.FailNext(100, 500);
        await Record(client.PostJsonAsync($"{flow.Applications}/{id}/secrets", "{}"));
        app.Vault.FailNext(0, 500);
        app.Clock.Advance(TimeSpan.FromDays(400));
        try
        {
            await app.Services.GetServices<ITimerHandler>().Single(h => h.FunctionName == "PurgeExpired").RunAsync(default);
        }
        finally
        {
            // Back before the callers' tokens expire, so the calls below are answered, not refused.
            app.Clock.Advance(TimeSpan.FromDays(-400));
        }

        using var auditor = app.CreateClient(flow.BusinessUnit, Roles.AuditView);
        Assert.Equal(HttpStatusCode.OK, await Record(auditor.GetAsync($"/api/business-units/{flow.BusinessUnit}/audit?pageSize=200")));
        Assert.Equal(HttpStatusCode.NoContent, await Record(client.DeleteAsync($"{flow.Applications}/{id}")));

        var stored = await ReadAllTablesAsync();
        queueTexts.AddRange((await new QueueClient(queues, SecretEmailRequests.QueueName).PeekAsync(32)).Select(m => m.Text ?? ""));
        queueTexts.AddRange((await QueueContents.PeekAsync(new QueueClient(queues, $"{SecretEmailRequests.QueueName}-poison"))).Select(m => m.Text ?? ""));

        Assert.NotEmpty(app.Logs.Lines);
        Assert.NotEmpty(queueTexts);
        Assert.True(problemBodies.Count >= 8, string.Join("\n", problemBodies));
        foreach (var value in secrets.Concat(tokens).Append(Passphrase))
        {
            Assert.DoesNotContain(app.Logs.Lines, line => line.Contains(value, StringComparison.Ordinal));
            Assert.DoesNotContain(stored, text => text.Contains(value, StringComparison.Ordinal));
            Assert.DoesNotContain(queueTexts, text => text.Contains(value, StringComparison.Ordinal));
            Assert.DoesNotContain(problemBodies, text => text.Contains(value, StringComparison.Ordinal));
        }

        Assert.All(secrets.Concat(tokens).Append(Passphrase), value => Assert.DoesNotContain(otherBodies, text => text.Contains(value, StringComparison.Ordinal)));
    }

    // Bodies of calls that must carry no secret, token or passphrase; every non-2xx body is also kept as a problem body.
    async Task<HttpStatusCode> Record(Task<HttpResponseMessage> call)
    {
        using var response = await call;
        var body = await response.Content.ReadAsStringAsync();
        otherBodies.Add(body);
        if (!response.IsSuccessStatusCode)
        {
            problemBodies.Add(body);
        }

        return response.StatusCode;
    }

    async Task<List<string>> ReadAllTablesAsync()
    {
        var tables = new StorageTables(name => new TableClient(StorageAccount.Parse(app.Azurite.ConnectionString), name));
        var stored = new List<string>();
        foreach (var table in tables.All)
        {
            stored.AddRange((await table.ReadAllAsync()).SelectMany(row => row.Texts()));
        }

        Assert.NotEmpty(stored);
        return stored;
    }
}
