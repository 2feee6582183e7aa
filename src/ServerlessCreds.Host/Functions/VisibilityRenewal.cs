using ServerlessCreds.Adapters.Queues;
using ServerlessCreds.Common;

namespace ServerlessCreds.Host.Functions;

/// <summary>
/// Keeps a received message hidden while its handler runs, as the Functions host does: its visibility timeout is renewed
/// when the message is halfway to reappearing (sooner after a failed renewal), so a slow handler is not joined by a second
/// one on the same message. Each renewal replaces the pop receipt that settling the message needs.
/// </summary>
sealed class VisibilityRenewal : IAsyncDisposable
{
    static readonly TimeSpan MinDelay = TimeSpan.FromMilliseconds(100);

    readonly QueueClient queue;
    readonly string messageId;
    readonly TimeSpan visibilityTimeout;
    readonly TimeProvider time;
    readonly ILogger logger;
    readonly CancellationTokenSource stopping = new();
    readonly Task renewing;

    /// <summary>Starts renewing <paramref name="message"/>, hidden since the timestamp <paramref name="hiddenSince"/> (taken before it was received).</summary>
    public VisibilityRenewal(QueueClient queue, QueueMessage message, long hiddenSince, TimeSpan visibilityTimeout, TimeProvider time, ILogger logger)
    {
        this.queue = queue;
        messageId = message.MessageId;
        PopReceipt = message.PopReceipt;
        this.visibilityTimeout = visibilityTimeout;
        this.time = time;
        this.logger = logger;
        renewing = RenewAsync(hiddenSince);
    }

    /// <summary>The message's current pop receipt; final once disposed.</summary>
    public string PopReceipt { get; private set; }

    /// <summary>Stops renewing, once a renewal in flight has finished.</summary>
    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync();
        await renewing;
        stopping.Dispose();
    }

    async Task RenewAsync(long hiddenSince)
    {
        while (true)
        {
            var untilVisible = visibilityTimeout - time.GetElapsedTime(hiddenSince);
            try
            {
                await Task.Delay(untilVisible / 2 > MinDelay ? untilVisible / 2 : MinDelay, time, stopping.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            var renewedAt = time.GetTimestamp();
            try
            {
                // Never cancelled: a renewal the service applied but whose answer was dropped would lose the new pop receipt.
                PopReceipt = await queue.UpdateVisibilityAsync(messageId, PopReceipt, visibilityTimeout, CancellationToken.None);
                hiddenSince = renewedAt;
            }
            catch (DependencyUnavailableException e)
            {
                logger.LogWarning(e, "Could not renew the visibility of message {MessageId}; trying again before it reappears", messageId);
            }
            catch (Exception e)
            {
                // Deleted by someone else, or received again after it reappeared (the pop receipt no longer matches).
                logger.LogWarning(e, "Message {MessageId} can no longer be kept hidden; another receiver may handle it as well", messageId);
                return;
            }
        }
    }
}
