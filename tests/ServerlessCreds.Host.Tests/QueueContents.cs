using ServerlessCreds.Adapters.Queues;

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
}
