using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ServerlessCreds.Adapters.Queues;
using ServerlessCreds.Adapters.Storage;
using ServerlessCreds.Host.Functions;
using ServerlessCreds.Testing.Azurite;
using ServerlessCreds.Testing.Faults;

namespace ServerlessCreds.Host.Tests.Functions;

/// <summary>Standalone: the host itself polls the queue with the Functions trigger's semantics, on a real Azurite.</summary>
public sealed class QueueListenerTests
{
    static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    readonly string queueName = StorageNames.UniqueQueue("listen");

    [Fact]
    public async Task A_message_that_succeeds_is_handled_once_and_deleted()
    {
        var handler = new TestQueueHandler(queueName, _ => QueueMessageOutcome.Completed);
        await using var app = await StartStandaloneAsync(handler);
        var queue = await QueueAsync(app);

        var sent = await queue.SendAsync("""{"deliveryId":"d-1"}""");

        await Eventually.TrueAsync(() => !handler.Received.IsEmpty, Patience, "the handler ran");
        await Eventually.TrueAsync(async () => await CountAsync(app, queueName) == 0, Patience, "the message is deleted");
        var message = Assert.Single(handler.Received);
        Assert.Equal(new QueueMessageContext(sent.MessageId, 1, sent.InsertionTime, """{"deliveryId":"d-1"}"""), message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_message_that_always_fails_is_tried_exactly_five_times_then_moved_to_the_poison_queue(bool throws)
    {
        var handler = new TestQueueHandler(queueName, (_, _, _) => throws ? throw new InvalidOperationException("boom") : Task.FromResult(QueueMessageOutcome.Retry));
        await using var app = await StartStandaloneAsync(handler);
        var queue = await QueueAsync(app);
        var poison = new QueueClient(StorageAccount.Parse(app.Azurite.ConnectionString), queueName + "-poison");

        await queue.SendAsync("doomed");

        await Eventually.TrueAsync(async () => await CountAsync(app, poison.Name) == 1, Patience, "the message is in the poison queue");
        await Eventually.TrueAsync(async () => await CountAsync(app, queueName) == 0, Patience, "the message is deleted from its queue");
        Assert.Equal([1L, 2, 3, 4, 5], handler.Received.Select(m => m.DequeueCount));
        Assert.Equal("doomed", Assert.Single(await poison.PeekAsync(32)).Text);
    }

    [Fact]
    public async Task A_message_received_more_than_max_dequeue_count_times_is_poisoned_on_receipt_without_running_its_handler()
    {
        await using var azurite = await AzuriteInstance.StartNewAsync();
        var account = StorageAccount.Parse(azurite.ConnectionString);
        var queue = new QueueClient(account, queueName);
        await queue.CreateIfNotExistsAsync();
        await queue.SendAsync("crashes its handler");
        // Five receives that are never settled: what five process crashes mid-message leave behind.
        for (var i = 0; i < 5; i++)
        {
            await Eventually.TrueAsync(async () => (await queue.ReceiveAsync(1, TimeSpan.FromSeconds(1))).Count == 1, Patience, "the message reappears");
        }

        await Task.Delay(TimeSpan.FromSeconds(1.2));
        var handler = new TestQueueHandler(queueName, _ => QueueMessageOutcome.Completed);
        await using var app = await StartStandaloneAsync(handler, azurite: azurite);
        var poison = new QueueClient(account, queueName + "-poison");

        await Eventually.TrueAsync(async () => await CountAsync(app, poison.Name) == 1, Patience, "the message is in the poison queue");
        await Eventually.TrueAsync(async () => await CountAsync(app, queueName) == 0, Patience, "the message is deleted from its queue");
        Assert.Empty(handler.Received);
        Assert.Equal("crashes its handler", Assert.Single(await poison.PeekAsync(32)).Text);
    }

    [Fact]
    public async Task A_message_that_is_not_base64_is_poisoned_at_once_without_spoiling_its_batch()
    {
        var handler = new TestQueueHandler(queueName, _ => QueueMessageOutcome.Completed);
        await using var app = await StartStandaloneAsync(handler);
        var queue = await QueueAsync(app);
        var account = StorageAccount.Parse(app.Azurite.ConnectionString);
        var poison = new QueueClient(account, queueName + "-poison");

        await PutRawAsync(account, "not base64 at all!");
        await queue.SendAsync("fine");

        await Eventually.TrueAsync(async () => await CountAsync(app, poison.Name) == 1, Patience, "the bad message is in the poison queue");
        await Eventually.TrueAsync(() => handler.Received.Any(m => m.Text == "fine"), Patience, "the good message was handled");
        Assert.DoesNotContain(handler.Received, m => m.Text != "fine");
        Assert.Equal("not base64 at all!", Assert.Single(await poison.PeekAsync(32)).Text);
    }

    // Our client always encodes; a raw Put Message is what another producer (or a mistake) could leave on the queue.
    async Task PutRawAsync(StorageAccount account, string messageText)
    {
        var pipeline = account.CreateQueuePipeline();
        using var message = pipeline.CreateMessage();
        message.Request.Method = Azure.Core.RequestMethod.Post;
        message.Request.Uri.Reset(new Uri($"{account.QueueServiceUri.AbsoluteUri.TrimEnd('/')}/{queueName}/messages"));
        message.Request.Headers.Add("Content-Type", "application/xml");
        message.Request.Content = Azure.Core.RequestContent.Create(
            System.Text.Encoding.UTF8.GetBytes($"<QueueMessage><MessageText>{messageText}</MessageText></QueueMessage>"));
        await pipeline.SendAsync(message, CancellationToken.None);
        Assert.Equal(201, message.Response.Status);
    }

    [Fact]
    public async Task Deferring_does_not_burn_attempts_so_seven_deferrals_then_success_never_poison()
    {
        var handler = new TestQueueHandler(queueName, (_, call, _) => Task.FromResult(call <= 7 ? QueueMessageOutcome.Defer(TimeSpan.Zero) : QueueMessageOutcome.Completed));
        await using var app = await StartStandaloneAsync(handler);
        var queue = await QueueAsync(app);

        await queue.SendAsync("rate limited");

        await Eventually.TrueAsync(() => handler.Received.Count == 8, Patience, "the handler ran eight times");
        await Eventually.TrueAsync(async () => await CountAsync(app, queueName) == 0, Patience, "the last message is deleted");
        Assert.Equal(8, handler.Received.Count);
        Assert.All(handler.Received, message => Assert.Equal(1, message.DequeueCount));
        Assert.All(handler.Received, message => Assert.Equal("rate limited", message.Text));
        Assert.Equal(8, handler.Received.Select(m => m.MessageId).Distinct().Count());
        var poison = new QueueClient(StorageAccount.Parse(app.Azurite.ConnectionString), queueName + "-poison");
        await Assert.ThrowsAsync<QueueNotFoundException>(() => poison.PeekAsync(1));
    }

    [Fact]
    public async Task No_more_than_batch_size_messages_are_handled_at_once()
    {
        var handler = new TestQueueHandler(queueName, async (_, _, cancellationToken) =>
        {
            // Busy long enough that more than a batch would be at work at once, if the listener let it.
            await Task.Delay(TimeSpan.FromMilliseconds(400), cancellationToken);
            return QueueMessageOutcome.Completed;
        });
        await using var app = await StartStandaloneAsync(handler, batchSize: 3);
        var queue = await QueueAsync(app);

        await Task.WhenAll(Enumerable.Range(0, 10).Select(i => queue.SendAsync($"message {i}")));

        await Eventually.TrueAsync(() => handler.Received.Count == 10, Patience, "all ten messages were handled");
        Assert.Equal(3, handler.MaxConcurrency);
        Assert.Equal(10, handler.Received.Select(m => m.Text).Distinct().Count());
    }

    [Fact]
    public async Task A_message_whose_listener_stops_mid_work_reappears_after_the_visibility_timeout_and_is_handled_once_more()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var stuck = new TestQueueHandler(queueName, async (_, _, cancellationToken) =>
        {
            started.TrySetResult();
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return QueueMessageOutcome.Completed;
        });
        await using var azurite = await AzuriteInstance.StartNewAsync();
        var crashed = await StartStandaloneAsync(stuck, azurite: azurite);
        var queue = await QueueAsync(crashed);
        var sent = await queue.SendAsync("survives a crash");
        await started.Task.WaitAsync(Patience);
        var stopping = Stopwatch.StartNew();
        await crashed.DisposeAsync();
        Assert.True(stopping.Elapsed < TimeSpan.FromSeconds(10), $"Stopping took {stopping.Elapsed}: the listener should not wait for the shutdown timeout.");

        var handler = new TestQueueHandler(queueName, _ => QueueMessageOutcome.Completed);
        await using var restarted = await StartStandaloneAsync(handler, azurite: azurite);
        await Eventually.TrueAsync(() => !handler.Received.IsEmpty, Patience, "the restarted listener handled the message");
        await Eventually.TrueAsync(async () => await CountAsync(restarted, queueName) == 0, Patience, "the message is deleted");

        var message = Assert.Single(handler.Received);
        Assert.Equal(sent.MessageId, message.MessageId);
        Assert.Equal(2, message.DequeueCount);
        Assert.Single(stuck.Received);
    }

    [Fact]
    public async Task A_message_whose_handler_outlives_the_visibility_timeout_stays_hidden_and_is_handled_once()
    {
        // Each call outlasts the 2 s visibility timeout twice over: unrenewed, the message reappears and is received again.
        var handler = new TestQueueHandler(queueName, async (_, _, cancellationToken) =>
        {
            await Task.Delay(TimeSpan.FromSeconds(5), cancellationToken);
            return QueueMessageOutcome.Completed;
        });
        await using var app = await StartStandaloneAsync(handler);
        var queue = await QueueAsync(app);

        await queue.SendAsync("slow to handle");

        // Deleted with the pop receipt of the last renewal: the one it was received with no longer matches.
        await Eventually.TrueAsync(async () => await CountAsync(app, queueName) == 0, Patience, "the message is deleted");
        var message = Assert.Single(handler.Received);
        Assert.Equal(1, message.DequeueCount);
    }

    [Fact]
    public async Task A_renewal_that_fails_is_tried_again_before_the_message_reappears()
    {
        await using var azurite = await AzuriteInstance.StartNewAsync();
        await using var proxy = await FaultProxy.StartAsync(azurite.QueueServiceUri);
        static bool IsRenewal(string method, string pathAndQuery) => method == "PUT" && pathAndQuery.Contains("popreceipt=", StringComparison.Ordinal);
        // Every try the storage pipeline makes for the first renewal (one plus three retries), so the failure reaches the listener.
        var outage = proxy.FailWhen(request => IsRenewal(request.Method, request.PathAndQuery), 503, times: 4);
        var handler = new TestQueueHandler(queueName, async (_, _, _) =>
        {
            await Eventually.TrueAsync(
                () => proxy.Log.Any(exchange => IsRenewal(exchange.Method, exchange.PathAndQuery) && exchange.Status == 204), TimeSpan.FromSeconds(30), "a renewal succeeded");
            return QueueMessageOutcome.Completed;
        });
        // Long enough for the pipeline's retries (about 3.5 s) to end well before the message would reappear.
        await using var app = await StartStandaloneAsync(handler, azurite: azurite, visibilityTimeout: TimeSpan.FromSeconds(16), queueProxy: proxy);
        var queue = await QueueAsync(app);

        await queue.SendAsync("kept hidden through an outage");

        await Eventually.TrueAsync(async () => await CountAsync(app, queueName) == 0, TimeSpan.FromSeconds(40), "the message is deleted");
        Assert.Single(handler.Received);
        Assert.Equal(4, outage.Hits);
        Assert.Contains(app.Logs.Lines, line => line.StartsWith("Warning", StringComparison.Ordinal) && line.Contains("Could not renew the visibility", StringComparison.Ordinal));
    }

    [Fact]
    public void Invalid_queue_options_fail_the_start_naming_each_setting()
    {
        // The host runs this start-up validator before anything else starts; calling it directly keeps the test free of
        // the race of a host torn down mid-start (WebApplicationFactory's deferred host can then report a disposed provider).
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Queues:BatchSize"] = "33",
            ["Queues:MaxDequeueCount"] = "0",
            ["Queues:VisibilityTimeout"] = "00:00:00",
        }).Build();
        using var services = new ServiceCollection().AddFunctionTriggers(configuration).BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains("Queues:BatchSize must be between 1 and 32.", error.Failures);
        Assert.Contains("Queues:MaxDequeueCount must be at least 1.", error.Failures);
        Assert.Contains("Queues:VisibilityTimeout must be between 1 second and 7 days.", error.Failures);
    }

    static async Task<ServerlessCredsApplication> StartStandaloneAsync(
        TestQueueHandler handler, int batchSize = 16, AzuriteInstance? azurite = null, TimeSpan? visibilityTimeout = null, FaultProxy? queueProxy = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Queues:BatchSize"] = batchSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Queues:VisibilityTimeout"] = (visibilityTimeout ?? TimeSpan.FromSeconds(2)).ToString(),
            ["Queues:RetryDelay"] = "00:00:00",
            ["Queues:MaxPollingInterval"] = "00:00:00.200",
        };
        if (queueProxy is not null)
        {
            settings["AzureWebJobsStorage"] = azurite!.ConnectionStringThrough(queues: queueProxy);
        }

        var app = new ServerlessCredsApplication
        {
            SharedAzurite = azurite,
            Settings = settings,
            ConfigureServices = services => services.AddSingleton<IQueueMessageHandler>(handler),
        };
        await app.InitializeAsync();
        _ = app.Services; // starts the host and its listeners
        return app;
    }

    async Task<QueueClient> QueueAsync(ServerlessCredsApplication app)
    {
        var queue = new QueueClient(StorageAccount.Parse(app.Azurite.ConnectionString), queueName);
        await queue.CreateIfNotExistsAsync();
        return queue;
    }

    // Hidden messages (being handled, or deferred) included, which a peek cannot see: 0 means every message was deleted, so
    // none can come back to be handled again.
    static Task<int> CountAsync(ServerlessCredsApplication app, string queue) =>
        QueueContents.CountAsync(StorageAccount.Parse(app.Azurite.ConnectionString), queue);
}
