using System.Net;
using System.Net.Http.Json;
using ServerlessCreds.Host.Tests.Api;
using ServerlessCreds.Host.Tests.SecretEmails;
using ServerlessCreds.Testing.Faults;

namespace ServerlessCreds.Host.Tests.Faults;

/// <summary>
/// Table storage failing, through a proxy in front of the real Azurite (an outage window that loses no data), and Azurite
/// itself stopped for the availability checks. Each test has its own host and storage.
/// </summary>
public sealed class StorageFaultTests() : HostPerTest(new() { ProxyTables = true })
{

    FaultProxy Proxy => App.TableProxy;


    static object NewApplication => new { kind = "internal", vendorName = "Contoso", applicationName = "Sync", scopes = new[] { "Admin" } };

    [Theory]
    [InlineData(503)]
    [InlineData(500)]
    [InlineData(0)] // connections dropped
    public async Task During_a_table_outage_every_call_answers_503_and_afterwards_the_same_calls_succeed_with_consistent_state(int status)
    {
        using var client = Flow.Admin();
        var existing = await Flow.CreateApplicationAsync(client);
        var existingId = existing.GetProperty("id").GetString()!;
        var outage = status == 0 ? Proxy.DropWhen(_ => true) : Proxy.FailWhen(_ => true, status);

        foreach (var call in new Func<Task<HttpResponseMessage>>[]
        {
            () => client.PostJsonAsync(Flow.Applications, NewApplication),
            () => client.PostJsonAsync($"{Flow.Applications}/{existingId}/secrets", "{}"),
            () => client.PostJsonAsync($"{Flow.Applications}/{existingId}/secret-emails", new { recipientEmail = "outage@customer.example" }),
            () => client.GetAsync($"{Flow.Applications}/{existingId}"),
        })
        {
            var response = await call();
            await response.ExpectProblemAsync(HttpStatusCode.ServiceUnavailable);
            Assert.NotNull(response.Headers.RetryAfter);
        }

        Assert.True(outage.Hits > 0);
        Proxy.ClearRules();
        var created = await (await client.PostJsonAsync(Flow.Applications, NewApplication)).ExpectAsync(HttpStatusCode.Created);
        await (await client.PostJsonAsync($"{Flow.Applications}/{existingId}/secrets", "{}")).ExpectAsync(HttpStatusCode.Created);
        var delivery = await Flow.RequestAsync(client, created.GetProperty("id").GetString()!, new { recipientEmail = "after@customer.example" });
        await SecretEmailFlow.WaitForStatusAsync(client, delivery, "sent");
        Assert.Single(Flow.EmailsTo("after@customer.example"));
        Assert.Empty(Flow.EmailsTo("outage@customer.example"));
        await FlowState.AssertConsistentAsync(App, client, Flow.BusinessUnit);
    }

    [Fact]
    public async Task When_marking_the_delivery_sent_fails_after_the_email_went_out_the_retry_asks_the_email_service_and_sends_nothing_again()
    {
        using var client = Flow.Admin();
        var created = await Flow.CreateApplicationAsync(client);
        // Every try (with the table client's own retries) of the first "sent" write fails; the queue retries the message.
        var lostSentMark = Proxy.FailWhen(r => r.Method == "PUT" && r.Path.Contains("/Deliveries(", StringComparison.Ordinal)
            && r.BodyText.Contains("\"Status\":\"Sent\"", StringComparison.Ordinal), 503, times: 4);

        var delivery = await Flow.RequestAsync(client, created.GetProperty("id").GetString()!, new { recipientEmail = "marked@customer.example" });

        await SecretEmailFlow.WaitForStatusAsync(client, delivery, "sent");
        await Flow.WaitUntilQueueSettledAsync();
        Assert.Equal(4, lostSentMark.Hits);
        Assert.Single(Flow.EmailsTo("marked@customer.example"));
        // One POST only: the retry found the delivery "sending", asked whether its operation was accepted, and did not resend.
        Assert.Single(Flow.SendAttemptsFor(delivery));
    }

    [Fact]
    public async Task An_email_that_went_out_while_its_sent_mark_and_then_its_status_polls_failed_ends_sent_and_never_failed()
    {
        using var client = Flow.Admin();
        var created = await Flow.CreateApplicationAsync(client);
        Proxy.FailWhen(r => r.Method == "PUT" && r.Path.Contains("/Deliveries(", StringComparison.Ordinal)
            && r.BodyText.Contains("\"Status\":\"Sent\"", StringComparison.Ordinal), 503, times: 4);
        // More throttled polls than the message has attempts left.
        App.Email.FailNextStatusRequests(5, HttpStatusCode.TooManyRequests, TimeSpan.FromSeconds(3));

        var delivery = await Flow.RequestAsync(client, created.GetProperty("id").GetString()!, new { recipientEmail = "polled@customer.example" });

        await SecretEmailFlow.WaitForStatusAsync(client, delivery, "sent");
        await Flow.WaitUntilQueueSettledAsync();
        var email = Assert.Single(Flow.EmailsTo("polled@customer.example"));
        Assert.Single(Flow.SendAttemptsFor(delivery));
        Assert.Equal(0, await Flow.PoisonedAsync());
        using var reader = App.CreateClient();
        await (await reader.PostJsonAsync($"/api/one-time-secrets/{SecretEmailFlow.TokenIn(email)}/reveal", "{}")).ExpectAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_lost_response_to_the_send_claim_sends_the_email_once()
    {
        using var client = Flow.Admin();
        var created = await Flow.CreateApplicationAsync(client);
        var lostClaim = Proxy.FailAfterForwardingWhen(r => r.Method == "PUT" && r.Path.Contains("/Deliveries(", StringComparison.Ordinal)
            && r.BodyText.Contains("\"Status\":\"Sending\"", StringComparison.Ordinal), 503, times: 1);

        var delivery = await Flow.RequestAsync(client, created.GetProperty("id").GetString()!, new { recipientEmail = "claimed@customer.example" });

        await SecretEmailFlow.WaitForStatusAsync(client, delivery, "sent");
        await Flow.WaitUntilQueueSettledAsync();
        Assert.Equal(1, lostClaim.Hits);
        Assert.Single(Flow.EmailsTo("claimed@customer.example"));
        Assert.Single(Flow.SendAttemptsFor(delivery));
    }

    [Fact]
    public async Task A_lost_response_to_the_idempotency_reservation_neither_locks_the_key_nor_creates_twice()
    {
        using var client = Flow.Admin();
        var lostReservation = Proxy.FailAfterForwardingWhen(r => r.Method == "POST" && r.Path.EndsWith("/Idempotency", StringComparison.Ordinal), 503, times: 1);

        Task<HttpResponseMessage> CreateAsync()
        {
            var request = new HttpRequestMessage(HttpMethod.Post, Flow.Applications) { Content = JsonContent.Create(NewApplication) };
            request.Headers.Add("Idempotency-Key", "lost-reservation");
            return client.SendAsync(request);
        }

        using var first = await CreateAsync();
        using var repeat = await CreateAsync();

        Assert.Equal(1, lostReservation.Hits);
        var created = await first.ExpectAsync(HttpStatusCode.Created);
        Assert.Equal(created.GetProperty("id").GetString(), (await repeat.ExpectAsync(HttpStatusCode.Created)).GetProperty("id").GetString());
        var list = await (await client.GetAsync(Flow.Applications)).ExpectAsync(HttpStatusCode.OK);
        Assert.Single(list.GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task With_Azurite_stopped_health_and_the_api_answer_503_and_recover_when_it_listens_again()
    {
        using var client = Flow.Admin();
        await Flow.CreateApplicationAsync(client);

        await App.Azurite.StopAsync();
        try
        {
            var health = await App.CreateClient().GetAsync("/api/health");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
            Assert.Equal("unavailable", (await health.ReadJsonAsync()).GetProperty("status").GetString());
            await (await client.GetAsync(Flow.Applications)).ExpectProblemAsync(HttpStatusCode.ServiceUnavailable);
            await (await client.PostJsonAsync(Flow.Applications, NewApplication)).ExpectProblemAsync(HttpStatusCode.ServiceUnavailable);
        }
        finally
        {
            await App.Azurite.StartAsync();
        }

        // The restarted emulator is empty (in-memory), so only reachability can recover here.
        await Eventually.TrueAsync(
            async () => (await App.CreateClient().GetAsync("/api/health")).StatusCode == HttpStatusCode.OK, TimeSpan.FromSeconds(20), "health is ok again");
    }
}
