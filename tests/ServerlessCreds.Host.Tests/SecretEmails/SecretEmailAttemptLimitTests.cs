using System.Net;
using ServerlessCreds.Testing;

namespace ServerlessCreds.Host.Tests.SecretEmails;

/// <summary>The delivery's attempt limit is the queue's: a delivery reads failed when its message is poisoned, whatever MaxDequeueCount says.</summary>
public sealed class SecretEmailAttemptLimitTests() : HostPerTest(new() { Settings = new Dictionary<string, string?> { ["Queues:MaxDequeueCount"] = "2" } })
{
    [Fact]
    public async Task With_max_dequeue_count_two_the_second_failed_attempt_poisons_the_message_and_marks_the_delivery_failed()
    {
        using var client = Flow.Admin();
        var created = await Flow.CreateApplicationAsync(client);
        App.Email.FailNext(1000, HttpStatusCode.ServiceUnavailable);

        var delivery = await Flow.RequestAsync(client, created.GetProperty("id").GetString()!, new { recipientEmail = "two@customer.example" });

        await Eventually.TrueAsync(async () => await Flow.PoisonedAsync() == 1, TimeSpan.FromSeconds(60), "the message is poisoned");
        await SecretEmailFlow.WaitForStatusAsync(client, delivery, "failed");
        // Two attempts, each the first try and the sender's three retries.
        Assert.Equal(8, Flow.SendAttemptsFor(delivery).Count);
    }
}
