using ServerlessCreds.Deliveries;
using ServerlessCreds.Host.Http;

namespace ServerlessCreds.Host.Functions;

/// <summary>The timer function that retires lapsed one-time links (their deliveries become expired) and forgets idempotency keys older than 24 h.</summary>
sealed partial class PurgeExpiredFunction(SecretEmailService emails, IdempotencyStore idempotency, ILogger<PurgeExpiredFunction> logger) : ITimerHandler
{
    public string FunctionName => "PurgeExpired";

    public string Schedule => "0 */5 * * * *";

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var expired = await emails.ExpireLapsedAsync(cancellationToken);
        LogExpired(logger, expired);
        var purged = await idempotency.PurgeExpiredAsync(cancellationToken);
        LogPurgedKeys(logger, purged);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Marked {Count} lapsed secret links expired")]
    static partial void LogExpired(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Purged {Count} expired idempotency keys")]
    static partial void LogPurgedKeys(ILogger logger, int count);
}
