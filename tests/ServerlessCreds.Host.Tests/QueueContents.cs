using System.Globalization;
using Azure.Core;
using ServerlessCreds.Adapters.Queues;
using ServerlessCreds.Adapters.Storage;

namespace ServerlessCreds.Host.Tests;

/// <summary>Looks at a queue without taking its messages from the host's listener.</summary>
static class QueueContents
{
    /// <summary>The visible messages (up to 32); none when the queue does not exist, as a poison queue does not until something is poisoned.</summary>
    public static async Task<IReadOnlyList<PeekedMessage>> PeekAsync(QueueClient queue)
    {
        try
        {
            return await queue.PeekAsync(32);
        }
        catch (QueueNotFoundException)
        {
            return [];
        }
    }

    /// <summary>
    /// How many messages the queue holds, hidden ones (being handled, or deferred) included, which peeking cannot see; 0 when
    /// the queue does not exist. Get Queue Metadata's count, which Azurite keeps exact.
    /// </summary>
    public static async Task<int> CountAsync(StorageAccount account, string queueName)
    {
        var pipeline = account.CreateQueuePipeline();
        using var message = pipeline.CreateMessage();
        message.Request.Method = RequestMethod.Get;
        message.Request.Uri.Reset(new Uri($"{account.QueueServiceUri.AbsoluteUri.TrimEnd('/')}/{queueName}?comp=metadata"));
        message.Request.Headers.Add("x-ms-version", "2021-12-02");
        await pipeline.SendAsync(message, CancellationToken.None);
        return message.Response.Status switch
        {
            200 when message.Response.Headers.TryGetValue("x-ms-approximate-messages-count", out var count) => int.Parse(count, CultureInfo.InvariantCulture),
            404 => 0,
            var status => throw new InvalidOperationException($"Get Queue Metadata for {queueName} answered {status}: {message.Response.Content}"),
        };
    }
}
