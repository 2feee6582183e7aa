using ServerlessCreds.Credentials;
using ServerlessCreds.Deliveries;
using ServerlessCreds.Host.Http;

namespace ServerlessCreds.Host.Functions;

/// <summary>
/// The timer function that retires what has lapsed: one-time links (their deliveries become expired), expired secrets
/// (their vault versions are disabled) and idempotency records older than a day. The three jobs are independent: each runs
/// even when one before it failed, and the run still fails afterwards so the host records it.
/// </summary>
sealed partial class PurgeExpiredFunction(
    SecretEmailService emails, CredentialService credentials, IdempotencyStore idempotency, ILogger<PurgeExpiredFunction> logger) : ITimerHandler
{
    public string FunctionName => "PurgeExpired";

    public string Schedule => "0 */5 * * * *";

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var failed = new List<string>();
        foreach (var (job, run) in new (string, Func<Task<int>>)[]
                 {
                     ("expire lapsed secret links", () => emails.ExpireLapsedAsync(cancellationToken)),
                     ("retire expired secrets", () => credentials.RetireExpiredAsync(cancellationToken)),
                     ("remove idempotency records past 24 h", () => idempotency.PurgeExpiredAsync(cancellationToken)),
                 })
        {
            try
            {
                var count = await run();
                LogJobDone(logger, job, count);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                LogJobFailed(logger, e, job);
                failed.Add(job);
            }
        }

        if (failed.Count > 0)
        {
            throw new InvalidOperationException($"{FunctionName} failed to {string.Join(" and ", failed)}; the other jobs ran.");
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Purge job '{Job}' done: {Count} items")]
    static partial void LogJobDone(ILogger logger, string job, int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "Purge job '{Job}' failed; the other jobs still run")]
    static partial void LogJobFailed(ILogger logger, Exception exception, string job);
}
