namespace ServerlessCreds.Deliveries;

/// <summary>Sends email. Implementations live in the adapters (Azure Communication Services, a local outbox).</summary>
public interface IEmailSender
{
    /// <summary>
    /// Sends <paramref name="message"/>. <paramref name="operationId"/> is stable per delivery, so a send repeated after a
    /// failure or a throttle is recognised as the same message and not mailed twice.
    /// </summary>
    /// <exception cref="Common.DependencyUnavailableException">The service stayed unreachable or failing after retries.</exception>
    Task<EmailSendResult> SendAsync(EmailMessage message, Guid operationId, CancellationToken cancellationToken);

    /// <summary>Whether a send with <paramref name="operationId"/> was already accepted, so a resend after a crash can be skipped.</summary>
    /// <exception cref="Common.DependencyUnavailableException">The service stayed unreachable or failing after retries.</exception>
    Task<bool> WasAcceptedAsync(Guid operationId, CancellationToken cancellationToken);
}
