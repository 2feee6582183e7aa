using System.Net;
using ServerlessCreds.Host.Tests.Api;
using ServerlessCreds.Host.Tests.SecretEmails;
using ServerlessCreds.Testing.Faults;

namespace ServerlessCreds.Host.Tests.Faults;

/// <summary>
/// Table storage failing, through a proxy in front of the real Azurite (an outage window that loses no data), and Azurite
/// itself stopped for the availability checks. Each test has its own host and storage.
/// </summary>
public sealed class StorageFaultTests : IAsyncLifetime
{
    readonly ServerlessCredsApplication app = new() { ProxyTables = true };
    SecretEmailFlow flow = null!;

    FaultProxy Proxy => app.TableProxy;

    public async Task InitializeAsync()
    {
        await app.InitializeAsync();
        await app.ReadyAsync();
        flow = new SecretEmailFlow(app);
    }

    public Task DisposeAsync() => app.DisposeAsync().AsTask();

    static object NewApplication => new { kind = "internal", vendorName = "Contoso", applicationName = "Sync", scopes = new[] { "Admin" } };

    [Theory]
    [InlineData(503)]
    [InlineData(500)]
    [InlineData(0)] // connections dropped
    public async Task During_a_table_outage_every_call_answers_503_and_afterwards_the_same_calls_succeed_with_consistent_state(int status)
    {
        using var client = flow.Admin();
        var existing = await flow.CreateApplicationAsync(client);
        var existingId = existing.GetProperty("id").GetString()!;
        var outage = status == 0 ? Proxy.DropWhen(_ => true) : Proxy.FailWhen(_ => true, status);

        foreach (var call in new Func<Task<HttpResponseMessage>>[]
        {
            () => client.PostJsonAsync(flow.Applications, NewApplication),
            () => client.PostJsonAsync($"{flow.Applications}/{existingId}/secrets", "{}"),
            () => client.PostJsonAsync($"{flow.Applications}/{existingId}/secret-emails", new { recipientEmail = "outage@customer.example" }),
            () => client.GetAsync($"{flow.Applications}/{existingId}"),
        })
        {
            var response = await call();
            await response.ExpectProblemAsync(HttpStatusCode.ServiceUnavailable);
            Assert.NotNull(response.Headers.RetryAfter);
        }

        Assert.True(outage.Hits > 0);
        Proxy.ClearRules();
        var created = await (await client.PostJsonAsync(flow.Applications, NewApplication)).ExpectAsync(HttpStatusCode.Created);
        await (await client.PostJsonAsync($"{flow.Applications}/{existingId}/secrets", "{}")).ExpectAsync(HttpStatusCode.Created);
        var delivery = await flow.RequestAsync(client, created.GetProperty("id").GetString()!, new { recipientEmail = "after@customer.example" });
        await SecretEmailFlow.WaitForStatusAsync(client, delivery, "sent");
        Assert.Single(flow.EmailsTo("after@customer.example"));
        Assert.Empty(flow.EmailsTo("outage@customer.example"));
        await FlowState.AssertConsistentAsync(app, client, flow.BusinessUnit);
    }

    [Fact]
    public async Task When_marking_the_delivery_sent_fails_after_the_email_went_out_the_retry_asks_the_email_service_and_sends_nothing_again()
    {
        using var client = flow.Admin();
        var created = await flow.CreateApplicationAsync(client);
        // Every try (with the table client's own retries) of the first "sent" write fails; the queue retries the message.
        var lostSentMark = Proxy.FailWhen(r => r.Method == "PUT" && r.Path.Contains("/Deliveries(", StringComparison.Ordinal)
            && r.BodyText.Contains("\"Status\":\"Sent\"", StringComparison.Ordinal), 503, times: 4);

        var delivery = await flow.RequestAsync(client, created.GetProperty("id").GetString()!, new { recipientEmail = "marked@customer.example" });

        await SecretEmailFlow.WaitForStatusAsync(client, delivery, "sent");
        Assert.Equal(4, lostSentMark.Hits);
        Assert.Single(flow.EmailsTo("marked@customer.example"));
        // One POST only: the retry found the delivery "sending", asked whether its operation was accepted, and did not resend.
        Assert.Single(AttemptsFor(delivery));
    }

    [Fact]
    public async Task A_lost_response_to_the_send_claim_sends_the_email_once()
    {
        using var client = flow.Admin();
        var created = await flow.CreateApplicationAsync(client);
        var lostClaim = Proxy.FailAfterForwardingWhen(r => r.Method == "PUT" && r.Path.Contains("/Deliveries(", StringComparison.Ordinal)
            && r.BodyText.Contains("\"Status\":\"Sending\"", StringComparison.Ordinal), 503, times: 1);

        var delivery = await flow.RequestAsync(client, created.GetProperty("id").GetString()!, new { recipientEmail = "claimed@customer.example" });

        await SecretEmailFlow.WaitForStatusAsync(client, delivery, "sent");
        Assert.Equal(1, lostClaim.Hits);
        Assert.Single(flow.EmailsTo("claimed@customer.example"));
        Assert.Single(AttemptsFor(delivery));
    }

    [Fact]
    public async Task With_Azurite_stopped_health_and_the_api_answer_503_and_recover_when_it_listens_again()
    {
        using var client = flow.Admin();
        await flow.CreateApplicationAsync(client);

        await app.Azurite.StopAsync();
        try
        {
            var health = await app.CreateClient().GetAsync("/api/health");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
            Assert.Equal("unavailable", (await health.ReadJsonAsync()).GetProperty("status").GetString());
            await (await client.GetAsync(flow.Applications)).ExpectProblemAsync(HttpStatusCode.ServiceUnavailable);
            await (await client.PostJsonAsync(flow.Applications, NewApplication)).ExpectProblemAsync(HttpStatusCode.ServiceUnavailable);
        }
        finally
        {
            await app.Azurite.StartAsync();
        }

        // The restarted emulator is empty (in-memory), so only reachability can recover here.
        await Functions.Eventually.TrueAsync(
            async () => (await app.CreateClient().GetAsync("/api/health")).StatusCode == HttpStatusCode.OK, TimeSpan.FromSeconds(20), "health is ok again");
    }

    IReadOnlyList<Testing.CommunicationEmail.SendAttempt> AttemptsFor(string delivery) =>
        [.. app.Email.SendAttempts.Where(a => a.OperationId is not null && delivery.EndsWith(a.OperationId.Replace("-", "", StringComparison.Ordinal), StringComparison.Ordinal))];
}
