using System.Net;
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
}
