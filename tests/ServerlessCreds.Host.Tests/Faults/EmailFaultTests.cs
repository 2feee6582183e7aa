using System.Net;
using ServerlessCreds.Host.Tests.Api;
using ServerlessCreds.Host.Tests.SecretEmails;

namespace ServerlessCreds.Host.Tests.Faults;

/// <summary>The ACS test server answering 429/500/503 or closing connections; each test has its own host and email server.</summary>
public sealed class EmailFaultTests() : HostPerTest(new())
{


    [Theory]
    [InlineData(429)] // Retry-After beyond the sender's short waits: deferred through the queue
    [InlineData(500)]
    [InlineData(503)]
    [InlineData(0)] // connections closed before any answer
    public async Task Two_failed_sends_are_retried_and_the_email_goes_out_once(int status)
    {
        using var client = Flow.Admin();
        var created = await Flow.CreateApplicationAsync(client);
        if (status == 0)
        {
            App.Email.DropNextConnections(2);
        }
        else
        {
            App.Email.FailNext(2, (HttpStatusCode)status, status == 429 ? TimeSpan.FromSeconds(3) : null);
        }

        var delivery = await Flow.RequestAsync(client, created.GetProperty("id").GetString()!, new { recipientEmail = "retry@customer.example" });

        await SecretEmailFlow.WaitForStatusAsync(client, delivery, "sent");
        await Flow.WaitUntilQueueSettledAsync();
        Assert.Single(Flow.EmailsTo("retry@customer.example"));
        Assert.Equal([status, status, 202], Flow.SendAttemptsFor(delivery).Select(a => a.Status));
    }

    [Fact]
    public async Task A_throttled_send_is_sent_again_after_its_delay_without_a_status_poll()
    {
        using var client = Flow.Admin();
        var created = await Flow.CreateApplicationAsync(client);
        // The send quota and the much smaller status quota are both spent: only a send that needs no poll gets through.
        App.Email.FailNext(1, HttpStatusCode.TooManyRequests, TimeSpan.FromSeconds(3));
        App.Email.FailNextStatusRequests(1000, HttpStatusCode.TooManyRequests, TimeSpan.FromSeconds(3));

        var delivery = await Flow.RequestAsync(client, created.GetProperty("id").GetString()!, new { recipientEmail = "throttled@customer.example" });

        await SecretEmailFlow.WaitForStatusAsync(client, delivery, "sent");
        await Flow.WaitUntilQueueSettledAsync();
        Assert.Single(Flow.EmailsTo("throttled@customer.example"));
        Assert.Equal([429, 202], Flow.SendAttemptsFor(delivery).Select(a => a.Status));
        Assert.Equal(0, App.Email.StatusRequests);
    }

    [Fact]
    public async Task Throttled_status_polls_are_waited_out_without_using_up_attempts_and_the_email_goes_out_once()
    {
        using var client = Flow.Admin();
        var created = await Flow.CreateApplicationAsync(client);
        // One attempt's send fails (with the sender's three retries), so every later attempt must ask first; the first four
        // asks are throttled, as many as the attempts left.
        App.Email.FailNext(4, HttpStatusCode.ServiceUnavailable);
        App.Email.FailNextStatusRequests(4, HttpStatusCode.TooManyRequests, TimeSpan.FromSeconds(3));

        var delivery = await Flow.RequestAsync(client, created.GetProperty("id").GetString()!, new { recipientEmail = "polled@customer.example" });

        await SecretEmailFlow.WaitForStatusAsync(client, delivery, "sent");
        await Flow.WaitUntilQueueSettledAsync();
        Assert.Single(Flow.EmailsTo("polled@customer.example"));
        Assert.Equal([503, 503, 503, 503, 202], Flow.SendAttemptsFor(delivery).Select(a => a.Status));
        Assert.Equal(5, App.Email.StatusRequests);
        Assert.Equal(0, await Flow.PoisonedAsync());
    }

    [Fact]
    public async Task Sends_refused_for_our_credentials_on_every_attempt_leave_the_delivery_failed_when_its_message_is_poisoned()
    {
        using var client = Flow.Admin();
        var created = await Flow.CreateApplicationAsync(client);
        App.Email.FailNext(5, HttpStatusCode.Forbidden);

        var delivery = await Flow.RequestAsync(client, created.GetProperty("id").GetString()!, new { recipientEmail = "denied@customer.example" });

        await Eventually.TrueAsync(async () => await Flow.PoisonedAsync() == 1, TimeSpan.FromSeconds(60), "the message is poisoned");
        await SecretEmailFlow.WaitForStatusAsync(client, delivery, "failed");
        var body = await (await client.GetAsync(delivery)).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("The email could not be sent after 5 attempts.", body.GetProperty("failureReason").GetString());
        Assert.Equal([403, 403, 403, 403, 403], Flow.SendAttemptsFor(delivery).Select(a => a.Status));
        Assert.Empty(Flow.EmailsTo("denied@customer.example"));
    }
}
