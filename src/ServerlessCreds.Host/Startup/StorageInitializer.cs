using ServerlessCreds.Adapters.Queues;
using ServerlessCreds.Adapters.Tables;
using ServerlessCreds.Common;
using ServerlessCreds.Scopes;

namespace ServerlessCreds.Host.Startup;

/// <summary>
/// Creates the tables and the request queue, then seeds the scope catalog, in the background, retrying until storage answers, so the process
/// is reachable at once (the Functions host only waits ~30 s) and an outage at start does not crash it.
/// </summary>
sealed class StorageInitializer(StorageTables tables, SecretEmailRequests secretEmails, ScopeService scopes, ILogger<StorageInitializer> logger) : BackgroundService
{
    static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(2);
    static readonly TimeSpan MaxWaitPerRequest = TimeSpan.FromSeconds(10);
    readonly TaskCompletionSource ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Requests wait only for the tables and the queue (created concurrently: one round trip of latency when they exist);
        // the scope catalog answers with its built-ins from code, so seeding it never holds a request up.
        await RetryUntilDoneAsync(async () =>
        {
            await Task.WhenAll(tables.CreateIfNotExistsAsync(stoppingToken), secretEmails.Queue.CreateIfNotExistsAsync(stoppingToken));
            ready.TrySetResult();
        }, stoppingToken);
        await RetryUntilDoneAsync(() => scopes.SeedAsync(stoppingToken), stoppingToken);
    }

    async Task RetryUntilDoneAsync(Func<Task> step, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await step();
                return;
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                // Also 403s while fresh role assignments propagate: keep the process up and answer 503 until storage lets us in.
                logger.LogWarning(e, "Storage not usable yet; retrying initialisation");
                await Task.Delay(RetryDelay, stoppingToken);
            }
        }
    }

    /// <summary>Holds API requests until storage is initialised; answers 503 (via the exception handler) if that takes too long.</summary>
    public async Task WaitUntilReadyAsync(CancellationToken cancellationToken)
    {
        if (ready.Task.IsCompleted)
        {
            return;
        }

        try
        {
            await ready.Task.WaitAsync(MaxWaitPerRequest, cancellationToken);
        }
        catch (TimeoutException e)
        {
            throw new DependencyUnavailableException("table storage", e);
        }
    }
}
