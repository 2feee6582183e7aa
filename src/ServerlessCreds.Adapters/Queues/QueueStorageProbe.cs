using ServerlessCreds.Common;

namespace ServerlessCreds.Adapters.Queues;

public sealed class QueueStorageProbe(SecretEmailRequests requests) : IHealthProbe
{
    public string Name => "queueStorage";

    public async Task<bool> IsReachableAsync(CancellationToken cancellationToken)
    {
        try
        {
            await requests.Queue.PeekAsync(1, cancellationToken);
        }
        catch (QueueRequestException)
        {
            // Any answer from the service (even "no such queue") proves it is reachable.
        }

        return true;
    }
}
