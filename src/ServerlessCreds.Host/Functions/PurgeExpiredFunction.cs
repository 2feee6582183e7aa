using ServerlessCreds.Credentials;
using ServerlessCreds.Deliveries;

namespace ServerlessCreds.Host.Functions;

/// <summary>The timer function that retires lapsed one-time links (their deliveries become expired) and expired secrets (their vault versions are disabled).</summary>
sealed partial class PurgeExpiredFunction(SecretEmailService emails, CredentialService credentials, ILogger<PurgeExpiredFunction> logger) : ITimerHandler
{
    public string FunctionName => "PurgeExpired";

    public string Schedule => "0 */5 * * * *";

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var links = await emails.ExpireLapsedAsync(cancellationToken);
        var secrets = await credentials.RetireExpiredAsync(cancellationToken);
        LogPurged(logger, links, secrets);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Marked {Links} lapsed secret links expired and retired {Secrets} expired secrets")]
    static partial void LogPurged(ILogger logger, int links, int secrets);
}
