using System.Collections.Concurrent;
using ServerlessCreds.Adapters.Queues;
using ServerlessCreds.Adapters.Storage;

namespace ServerlessCreds.Host.Functions;

/// <summary>Queue clients for the trigger plumbing, one per queue name, on the <c>AzureWebJobsStorage</c> account.</summary>
sealed class FunctionQueues(StorageAccount account)
{
    readonly ConcurrentDictionary<string, QueueClient> clients = new(StringComparer.Ordinal);

    public static string PoisonQueueName(string queueName) => queueName + "-poison";

    public QueueClient Get(string queueName) => clients.GetOrAdd(queueName, name => new QueueClient(account, name));

    /// <summary>Enqueues <paramref name="text"/>, creating the queue on first need (poison queues start out missing).</summary>
    public async Task<SendReceipt> SendAsync(string queueName, string text, TimeSpan visibilityDelay, CancellationToken cancellationToken)
    {
        var queue = Get(queueName);
        try
        {
            return await queue.SendAsync(text, visibilityDelay, cancellationToken: cancellationToken);
        }
        catch (QueueNotFoundException)
        {
            await queue.CreateIfNotExistsAsync(cancellationToken);
            return await queue.SendAsync(text, visibilityDelay, cancellationToken: cancellationToken);
        }
    }
}
