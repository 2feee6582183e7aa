using ServerlessCreds.Adapters.Queues;
using ServerlessCreds.Common;

namespace ServerlessCreds.Host.Functions;

/// <summary>
/// Standalone stand-in for the Functions queue trigger, with the same semantics: receive up to <c>BatchSize</c> messages
/// hidden for <c>VisibilityTimeout</c> and run them concurrently; Completed deletes, Retry or an exception hides the message
/// for <c>RetryDelay</c> (or moves it to <c>{queue}-poison</c> once <c>DequeueCount</c> reached <c>MaxDequeueCount</c>),
/// Defer enqueues a delayed copy and deletes the original. A message received more than <c>MaxDequeueCount</c> times (its
/// handler never settled it, e.g. it crashed the process) is poisoned on receipt without running. A message stays hidden while its handler runs (see
/// <see cref="VisibilityRenewal"/>); if the process dies mid-message, it reappears after <c>VisibilityTimeout</c>, so
/// handlers must be idempotent.
/// </summary>
sealed class QueueListener(
    IQueueMessageHandler handler, FunctionQueues queues, QueueTriggerOptions options, TimeProvider time, ILogger<QueueListener> logger) : BackgroundService
{
    readonly QueueClient queue = queues.Get(handler.QueueName);
    // Built now so that a queue name too long for its poison twin fails the start, not the first poisoning.
    readonly string poisonQueueName = queues.Get(FunctionQueues.PoisonQueueName(handler.QueueName)).Name;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await CreateQueueAsync(stoppingToken);
        using var slots = new SemaphoreSlim(options.BatchSize, options.BatchSize);
        var idleDelay = QueueTriggerOptionsValidator.MinPollingInterval;
        try
        {
            while (true)
            {
                await slots.WaitAsync(stoppingToken);
                var free = 1;
                while (free < options.BatchSize && slots.Wait(0, CancellationToken.None))
                {
                    free++;
                }

                IReadOnlyList<QueueMessage> messages = [];
                var hiddenSince = time.GetTimestamp();
                try
                {
                    messages = await ReceiveAsync(free, stoppingToken);
                }
                finally
                {
                    // Also when stopping cancels the receive: the shutdown below waits for every slot.
                    if (messages.Count < free)
                    {
                        slots.Release(free - messages.Count);
                    }
                }

                foreach (var message in messages)
                {
                    // Off the polling loop, so a handler that blocks before its first await cannot stall receiving.
                    _ = Task.Run(() => ProcessAsync(message, hiddenSince, slots, stoppingToken), CancellationToken.None);
                }

                if (messages.Count > 0)
                {
                    idleDelay = QueueTriggerOptionsValidator.MinPollingInterval;
                    continue;
                }

                await Task.Delay(idleDelay, time, stoppingToken);
                idleDelay = TimeSpan.FromTicks(Math.Min(idleDelay.Ticks * 2, options.MaxPollingInterval.Ticks));
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: wait for the in-flight handlers (they see the cancellation) so none is cut off mid-settlement.
            for (var i = 0; i < options.BatchSize; i++)
            {
                await slots.WaitAsync(CancellationToken.None);
            }
        }
    }

    async Task CreateQueueAsync(CancellationToken stoppingToken)
    {
        while (true)
        {
            try
            {
                await queue.CreateIfNotExistsAsync(stoppingToken);
                return;
            }
            catch (DependencyUnavailableException e)
            {
                logger.LogWarning(e, "Queue {Queue} not reachable yet; retrying", queue.Name);
                await Task.Delay(options.MaxPollingInterval, time, stoppingToken);
            }
        }
    }

    async Task<IReadOnlyList<QueueMessage>> ReceiveAsync(int count, CancellationToken stoppingToken)
    {
        try
        {
            return await queue.ReceiveAsync(count, options.VisibilityTimeout, stoppingToken);
        }
        catch (Exception e) when (e is DependencyUnavailableException or QueueRequestException)
        {
            logger.LogWarning(e, "Receiving from queue {Queue} failed; polling again later", queue.Name);
            return [];
        }
    }

    async Task ProcessAsync(QueueMessage message, long hiddenSince, SemaphoreSlim slots, CancellationToken stoppingToken)
    {
        try
        {
            await HandleAsync(message, hiddenSince, stoppingToken);
        }
        finally
        {
            slots.Release();
        }
    }

    async Task HandleAsync(QueueMessage message, long hiddenSince, CancellationToken stoppingToken)
    {
        if (message.Text is null)
        {
            // As the Functions trigger does: a message that is not base64 text can never be handled, so it is poisoned at once.
            logger.LogError("Message {MessageId} is not base64-encoded text; moving it to {PoisonQueue}", message.MessageId, poisonQueueName);
            await queues.SendAsync(poisonQueueName, message.EncodedText, TimeSpan.Zero, CancellationToken.None);
            await queue.DeleteAsync(message.MessageId, message.PopReceipt, CancellationToken.None);
            return;
        }

        if (message.DequeueCount > options.MaxDequeueCount)
        {
            // As the Functions host's QueueProcessor does: a message that keeps crashing its handler must not run for ever.
            await SettleOrLogAsync(message, QueueMessageOutcome.Retry);
            return;
        }

        QueueMessageOutcome outcome;
        var renewal = new VisibilityRenewal(queue, message, hiddenSince, options.VisibilityTimeout, time, logger);
        try
        {
            outcome = await handler.HandleAsync(new QueueMessageContext(message.MessageId, message.DequeueCount, message.InsertionTime, message.Text), stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            logger.LogWarning("Stopped while handling message {MessageId}; it reappears after its visibility timeout", message.MessageId);
            return;
        }
        catch (Exception e)
        {
            logger.LogError(e, "{Function} failed on message {MessageId} (attempt {DequeueCount})", handler.FunctionName, message.MessageId, message.DequeueCount);
            outcome = QueueMessageOutcome.Retry;
        }
        finally
        {
            await renewal.DisposeAsync();
        }

        await SettleOrLogAsync(message with { PopReceipt = renewal.PopReceipt }, outcome);
    }

    async Task SettleOrLogAsync(QueueMessage message, QueueMessageOutcome outcome)
    {
        try
        {
            // Settle even while stopping: the work is done, only the bookkeeping remains.
            await SettleAsync(message, outcome, CancellationToken.None);
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Could not settle message {MessageId}; it reappears after its visibility timeout", message.MessageId);
        }
    }

    async Task SettleAsync(QueueMessage message, QueueMessageOutcome outcome, CancellationToken cancellationToken)
    {
        switch (outcome.Kind)
        {
            case QueueMessageOutcomeKind.Completed:
                await queue.DeleteAsync(message.MessageId, message.PopReceipt, cancellationToken);
                break;
            case QueueMessageOutcomeKind.Deferred:
                await queues.SendAsync(queue.Name, message.Text!, outcome.Delay, cancellationToken);
                await queue.DeleteAsync(message.MessageId, message.PopReceipt, cancellationToken);
                break;
            case QueueMessageOutcomeKind.Retry when message.DequeueCount >= options.MaxDequeueCount:
                logger.LogError("Message {MessageId} failed {DequeueCount} times; moving it to {PoisonQueue}", message.MessageId, message.DequeueCount, poisonQueueName);
                await queues.SendAsync(poisonQueueName, message.Text!, TimeSpan.Zero, cancellationToken);
                await queue.DeleteAsync(message.MessageId, message.PopReceipt, cancellationToken);
                break;
            default:
                await queue.UpdateVisibilityAsync(message.MessageId, message.PopReceipt, options.RetryDelay, cancellationToken);
                break;
        }
    }
}
