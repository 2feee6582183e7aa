using System.Net;
using ServerlessCreds.Adapters.Queues;
using ServerlessCreds.Adapters.Storage;

namespace ServerlessCreds.Host.Tests.SecretEmails;

/// <summary>Email service outages and quotas; each test has its own host, email server and queue traffic.</summary>
public sealed class SecretEmailLoadAndFaultTests() : HostPerTest(new())
{


    [Fact]
    public async Task A_message_failing_five_times_lands_in_the_poison_queue_and_the_delivery_shows_failed()
    {
        using var client = Flow.Admin();
        var created = await Flow.CreateApplicationAsync(client);
        App.Email.FailNext(1000, HttpStatusCode.ServiceUnavailable);

        var delivery = await Flow.RequestAsync(client, created.GetProperty("id").GetString()!, new { recipientEmail = "down@customer.example" });

        var poison = new QueueClient(StorageAccount.Parse(App.Azurite.ConnectionString), $"{SecretEmailRequests.QueueName}-poison");
        await Eventually.TrueAsync(
            async () => (await SecretEmailFlow.StatusAsync(client, delivery)) == "failed", TimeSpan.FromSeconds(60), "the delivery failed");
        await Eventually.TrueAsync(
            async () => (await QueueContents.PeekAsync(poison)).Any(m => m.Text!.Contains(delivery.Split('/')[^1], StringComparison.Ordinal)),
            TimeSpan.FromSeconds(10), "the message is in the poison queue");
        Assert.Empty(Flow.EmailsTo("down@customer.example"));
    }

    [Fact]
    public async Task A_burst_far_above_the_email_quota_sends_every_email_once_and_poisons_nothing()
    {
        using var client = Flow.Admin();
        var created = await Flow.CreateApplicationAsync(client);
        var applicationId = created.GetProperty("id").GetString()!;
        // Retry-After beyond the sender's own short waits, so throttled messages are deferred through the queue.
        App.Email.SetQuota(40, TimeSpan.FromSeconds(3));

        var deliveries = new List<string>();
        for (var batch = 0; batch < 10; batch++)
        {
            deliveries.AddRange(await Task.WhenAll(Enumerable.Range(0, 20).Select(i =>
                Flow.RequestAsync(client, applicationId, new { recipientEmail = $"burst{batch * 20 + i}@customer.example" }))));
        }

        await Eventually.TrueAsync(
            () => App.Email.SentMessages.Count(m => m.To[0].Address.StartsWith("burst", StringComparison.Ordinal)) >= 200, TimeSpan.FromSeconds(120), "200 emails were sent");
        await Flow.WaitUntilQueueSettledAsync();
        var sent = App.Email.SentMessages.Where(m => m.To[0].Address.StartsWith("burst", StringComparison.Ordinal)).ToList();
        Assert.Equal(200, sent.Count);
        Assert.Equal(200, sent.Select(m => m.To[0].Address).Distinct().Count());
        Assert.Contains(App.Email.SendAttempts, a => a.Status == 429);
        // The server takes a repeated Operation-Id as the same email, so count accepted sends: a resent one would show here.
        Assert.Equal(200, App.Email.SendAttempts.Count(a => a.Status == 202));
        foreach (var delivery in deliveries.Take(20))
        {
            Assert.Equal("sent", await SecretEmailFlow.StatusAsync(client, delivery));
        }

        var poison = new QueueClient(StorageAccount.Parse(App.Azurite.ConnectionString), $"{SecretEmailRequests.QueueName}-poison");
        Assert.Empty(await QueueContents.PeekAsync(poison));
    }
}
