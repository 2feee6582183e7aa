using ServerlessCreds.Deliveries;

namespace ServerlessCreds.Host.Functions;

/// <summary>The timer function that retires lapsed one-time links (their deliveries become expired).</summary>
sealed class PurgeExpiredFunction(SecretEmailService emails, ILogger<PurgeExpiredFunction> logger) : ITimerHandler
{
    public string FunctionName => "PurgeExpired";

    public string Schedule => "0 */5 * * * *";

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var expired = await emails.ExpireLapsedAsync(cancellationToken);
        logger.LogInformation("Marked {Count} lapsed secret links expired", expired);
    }
}
