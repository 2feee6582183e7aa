using ServerlessCreds.Credentials;
using ServerlessCreds.Deliveries;
using ServerlessCreds.Host.Http;

namespace ServerlessCreds.Host.Functions;

/// <summary>
/// The timer function that retires what has lapsed: one-time links (their deliveries become expired), expired secrets
/// (their vault versions are disabled) and idempotency records older than a day.
/// </summary>
sealed partial class PurgeExpiredFunction(
    SecretEmailService emails, CredentialService credentials, IdempotencyStore idempotency, ILogger<PurgeExpiredFunction> logger) : ITimerHandler
{
    public string FunctionName => "PurgeExpired";

    public string Schedule => "0 */5 * * * *";

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var links = await emails.ExpireLapsedAsync(cancellationToken);
        var secrets = await credentials.RetireExpiredAsync(cancellationToken);
        var keys = await idempotency.PurgeExpiredAsync(cancellationToken);
        LogPurged(logger, links, secrets, keys);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Marked {Links} lapsed secret links expired, retired {Secrets} expired secrets and removed {Keys} idempotency records")]
    static partial void LogPurged(ILogger logger, int links, int secrets, int keys);
}
