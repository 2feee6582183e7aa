using System.Net;
using Microsoft.Extensions.DependencyInjection;
using ServerlessCreds.Adapters.Storage;
using ServerlessCreds.Adapters.Tables;
using ServerlessCreds.Deliveries;
using ServerlessCreds.Host.Tests.Api;
using ServerlessCreds.Host.Tests.SecretEmails;
using ServerlessCreds.Testing.Azurite;
using ServerlessCreds.Testing.Faults;

namespace ServerlessCreds.Host.Tests.Faults;

/// <summary>Queue storage (and table storage) through fault proxies in front of a real Azurite; each test has its own host and storage.</summary>
public sealed class QueueFaultTests : IAsyncLifetime
{
    AzuriteInstance azurite = null!;
    FaultProxy tables = null!;
    FaultProxy queues = null!;
    ServerlessCredsApplication app = null!;
    SecretEmailFlow flow = null!;

    public async Task InitializeAsync()
    {
        azurite = await AzuriteInstance.StartNewAsync();
        tables = await FaultProxy.StartAsync(azurite.TableServiceUri);
        queues = await FaultProxy.StartAsync(azurite.QueueServiceUri);
        app = new ServerlessCredsApplication
        {
            SharedAzurite = azurite,
            Settings = new Dictionary<string, string?> { ["AzureWebJobsStorage"] = azurite.ConnectionStringThrough(tables, queues) },
        };
        await app.InitializeAsync();
        await app.ReadyAsync();
        flow = new SecretEmailFlow(app);
    }

    public async Task DisposeAsync()
    {
        await app.DisposeAsync();
        await tables.DisposeAsync();
        await queues.DisposeAsync();
        await azurite.DisposeAsync();
    }

    [Fact]
    public async Task A_second_copy_of_the_message_arriving_while_the_first_is_mid_send_waits_and_the_email_is_posted_once()
    {
        using var client = flow.Admin();
        var created = await flow.CreateApplicationAsync(client);
        // The enqueue is applied but its answer lost: the storage client sends it again and the queue holds two copies.
        var lostEnqueue = queues.FailAfterForwardingWhen(r => r.Method == "POST" && r.Path.EndsWith("/secret-emails/messages", StringComparison.Ordinal), 503, times: 1);
        // The copy that claims the delivery first is held right after its claim, before it reaches the email service.
        var release = new TaskCompletionSource();
        var held = tables.HoldWhen(r => r.Method == "PUT" && r.Path.Contains("/SecretLinks(", StringComparison.Ordinal), release.Task, times: 1);

        var delivery = await flow.RequestAsync(client, created.GetProperty("id").GetString()!, new { recipientEmail = "dup@customer.example" });
        Assert.Equal(1, lostEnqueue.Hits);
        await Eventually.TrueAsync(() => held.Hits == 1, TimeSpan.FromSeconds(20), "the first copy is held after its claim");
        // The other copy finds the claim live and defers (a third Put Message) instead of asking ACS and sending.
        await Eventually.TrueAsync(() => QueuePuts() == 3 || flow.SendAttemptsFor(delivery).Count > 0, TimeSpan.FromSeconds(20), "the second copy is deferred or sends");
        Assert.Empty(flow.SendAttemptsFor(delivery));
        Assert.Equal(0, app.Email.StatusRequests);
        release.SetResult();

        await SecretEmailFlow.WaitForStatusAsync(client, delivery, "sent");
        Assert.Equal([202], flow.SendAttemptsFor(delivery).Select(a => a.Status));
        // The deferred copy, when it comes back, finds the delivery sent.
        var deliveryId = delivery.Split('/')[^1];
        var outcome = await app.Services.GetRequiredService<SecretEmailService>().SendAsync(
            new SecretEmailMessage(flow.BusinessUnit, created.GetProperty("id").GetString()!, deliveryId), "deferred-copy", 1, default);
        Assert.IsType<SendOutcome.Done>(outcome);
        Assert.Single(flow.SendAttemptsFor(delivery));
    }

    [Fact]
    public async Task A_request_whose_enqueue_is_refused_answers_503_and_leaves_its_delivery_failed_not_queued()
    {
        using var client = flow.Admin();
        var created = await flow.CreateApplicationAsync(client);
        // For example 403 while the app's role assignment on the queue is still propagating.
        var refused = queues.FailWhen(r => r.Method == "POST" && r.Path.EndsWith("/secret-emails/messages", StringComparison.Ordinal), 403, times: 1);

        var response = await client.PostJsonAsync($"{flow.Applications}/{created.GetProperty("id").GetString()}/secret-emails", new { recipientEmail = "refused@customer.example" });

        var problem = await response.ExpectAsync(HttpStatusCode.ServiceUnavailable);
        Assert.Equal("The queue storage is unavailable. Try again shortly.", problem.GetProperty("detail").GetString());
        Assert.Equal(1, refused.Hits);
        var rows = await new TableClient(StorageAccount.Parse(azurite.ConnectionString), "Deliveries").ReadAllAsync();
        Assert.Equal(["Failed"], rows.Where(r => r.PartitionKey == flow.BusinessUnit).Select(r => r.GetString("Status")));
        Assert.Equal(0, await flow.QueuedAsync());
    }

    // Put Message requests on the secret-email queue: the enqueue, its retries and deferred copies.
    int QueuePuts() => queues.Log.Count(e => e.Method == "POST" && e.PathAndQuery.Contains("/secret-emails/messages", StringComparison.Ordinal));
}
