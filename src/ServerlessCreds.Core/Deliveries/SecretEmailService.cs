using System.Net.Mail;
using ServerlessCreds.Applications;
using ServerlessCreds.Audit;
using ServerlessCreds.Common;
using ServerlessCreds.Credentials;
using ServerlessCreds.SecretLinks;

namespace ServerlessCreds.Deliveries;

public sealed record SecretEmailRequest(string? RecipientEmail, string? RecipientName, string? SecretId, int? ExpiresInHours, string? Passphrase)
{
    public override string ToString() => $"SecretEmailRequest {{ RecipientEmail = {RecipientEmail}, SecretId = {SecretId} }}";
}

/// <summary>Where links point and how the email names the product; built from validated options at start.</summary>
public sealed record SecretEmailSettings(Uri PublicBaseUrl, string ProductName, int MaxAttempts);

/// <summary>What the queue should do with a message after one attempt.</summary>
public abstract record SendOutcome
{
    SendOutcome()
    {
    }

    public sealed record Done : SendOutcome;

    /// <summary>A transient failure: let the message come back (this counts as an attempt).</summary>
    public sealed record Retry : SendOutcome;

    /// <summary>Throttled: try again after the delay without counting an attempt.</summary>
    public sealed record Defer(TimeSpan Delay) : SendOutcome;
}

/// <summary>
/// Secret emails: the request records a delivery and queues its ids; the queue function sends at most one email per
/// delivery. The delivery record, not the email service, guarantees "once": a send is claimed with a lease that keeps any
/// other copy of the message from sending meanwhile, and before a resend it asks the service whether the delivery's
/// operation id was already accepted.
/// </summary>
public sealed class SecretEmailService(
    IApplicationStore applications,
    IDeliveryStore deliveries,
    ISecretEmailRequests queue,
    ILinkKeySource linkKeys,
    IEmailSender email,
    SecretEmailSettings settings,
    AuditTrail audit,
    TimeProvider clock)
{
    const int DefaultExpiryHours = 72;
    const int MaxExpiryHours = 168;
    // Longer than a send can take (the email client's retries included); a copy of the message waits it out.
    static readonly TimeSpan ClaimLease = TimeSpan.FromMinutes(10);
    // When a failed status poll gave no Retry-After: the service allows about 10 polls a minute.
    static readonly TimeSpan StatusPollDelay = TimeSpan.FromMinutes(1);

    public async Task<Delivery?> RequestAsync(string businessUnit, string applicationId, SecretEmailRequest request, AuditContext context, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors();
        if (string.IsNullOrEmpty(request.RecipientEmail))
        {
            errors.Add("recipientEmail", "Is required.");
        }
        else if (request.RecipientEmail.Length > 254 || !MailAddress.TryCreate(request.RecipientEmail, out var parsed) || parsed.Address != request.RecipientEmail
                 || !parsed.Host.Contains('.', StringComparison.Ordinal))
        {
            errors.Add("recipientEmail", "Must be a plain email address such as ana@example.com.");
        }

        Text.CheckOptional(errors, "recipientName", request.RecipientName, 1, 100);
        if (request.ExpiresInHours is < 1 or > MaxExpiryHours)
        {
            errors.Add("expiresInHours", $"Must be between 1 and {MaxExpiryHours}.");
        }

        if (request.Passphrase is { Length: < Passphrases.MinLength or > Passphrases.MaxLength })
        {
            errors.Add("passphrase", $"Must be {Passphrases.MinLength} to {Passphrases.MaxLength} characters.");
        }

        errors.ThrowIfAny();

        if (await applications.FindWithSecretsAsync(businessUnit, applicationId, cancellationToken) is not var (_, secrets))
        {
            return null;
        }

        var now = clock.GetUtcNow();
        var active = secrets.Where(s => s.StateAt(now) == SecretState.Active).ToList();
        var secret = request.SecretId is null
            ? active.MaxBy(s => s.CreatedAt) ?? throw DomainException.Conflict("The application has no active secret to send.")
            : active.SingleOrDefault(s => s.SecretId == request.SecretId) ?? throw DomainException.Invalid("secretId", "Is not an active secret of this application.");

        var deliveryId = Ids.New();
        return await audit.RecordChangeAsync(context, businessUnit, AuditActions.SecretEmailRequested, AuditTarget.SecretEmail(applicationId, deliveryId), async () =>
        {
            var delivery = await deliveries.AddAsync(
                new Delivery
                {
                    DeliveryId = deliveryId,
                    BusinessUnit = businessUnit,
                    ApplicationId = applicationId,
                    SecretId = secret.SecretId,
                    RecipientEmail = request.RecipientEmail!,
                    RecipientName = request.RecipientName,
                    CreatedAt = now,
                    CreatedBy = context.Actor.Id,
                    CreatedByName = context.Actor.Name,
                    ExpiresAt = now.AddHours(request.ExpiresInHours ?? DefaultExpiryHours),
                    Status = DeliveryStatus.Queued,
                    PassphraseHash = request.Passphrase is null ? null : Passphrases.Hash(request.Passphrase),
                },
                cancellationToken);

            try
            {
                await queue.EnqueueAsync(new SecretEmailMessage(businessUnit, applicationId, delivery.DeliveryId, context.CorrelationId), cancellationToken);
            }
            catch
            {
                // Whatever failed (an outage, a refusal, a cancelled request), no delivery may stay queued without a message.
                // If the enqueue was applied after all, its message finds the delivery failed and sends nothing.
                await TryMarkAsync(delivery with { Status = DeliveryStatus.Failed, FailureReason = "The request could not be queued." });
                throw;
            }

            return delivery;
        }, cancellationToken);
    }

    /// <summary>The delivery with the status callers see; null when the application or delivery does not exist.</summary>
    public async Task<(Delivery Delivery, DeliveryStatus Status)?> FindAsync(string businessUnit, string applicationId, string deliveryId, CancellationToken cancellationToken)
    {
        // The delivery's keys are known too: all three reads go out together.
        var application = applications.FindWithSecretsAsync(businessUnit, applicationId, cancellationToken);
        var stored = deliveries.FindAsync(businessUnit, applicationId, deliveryId, cancellationToken);
        await Task.WhenAll(application, stored);
        if (await application is not var (_, secrets) || await stored is not { } delivery)
        {
            return null;
        }

        return (delivery, delivery.EffectiveStatus(clock.GetUtcNow(), secrets));
    }

    /// <summary>
    /// One attempt of the queue function on the message <paramref name="messageId"/>. Idempotent: any number of deliveries
    /// of the same message, and any number of copies of it, send at most one email.
    /// </summary>
    public async Task<SendOutcome> SendAsync(SecretEmailMessage message, string messageId, long attempt, CancellationToken cancellationToken)
    {
        try
        {
            return await TrySendAsync(message, messageId, cancellationToken);
        }
        catch (Exception e) when (attempt >= settings.MaxAttempts && e is not OperationCanceledException)
        {
            // The queue gives up on this message now: say so on the delivery instead of leaving it queued.
            await GiveUpAsync(message, messageId, attempt);
            if (e is DependencyUnavailableException or DomainException { Kind: DomainErrorKind.VersionMismatch })
            {
                return new SendOutcome.Retry();
            }

            throw;
        }
        catch (Exception e) when (e is DependencyUnavailableException or DomainException { Kind: DomainErrorKind.VersionMismatch })
        {
            return new SendOutcome.Retry();
        }
    }

    async Task<SendOutcome> TrySendAsync(SecretEmailMessage message, string messageId, CancellationToken cancellationToken)
    {
        var delivery = await deliveries.FindAsync(message.BusinessUnit, message.ApplicationId, message.DeliveryId, cancellationToken);
        if (delivery is not { Status: DeliveryStatus.Queued or DeliveryStatus.Sending })
        {
            return new SendOutcome.Done();
        }

        var found = await applications.FindWithSecretsAsync(message.BusinessUnit, message.ApplicationId, cancellationToken);
        var now = clock.GetUtcNow();
        var status = delivery.EffectiveStatus(now, found?.Secrets ?? []);
        if (status is DeliveryStatus.Expired or DeliveryStatus.Revoked)
        {
            await deliveries.UpdateAsync(delivery with { Status = status }, cancellationToken);
            return new SendOutcome.Done();
        }

        if (delivery.Status == DeliveryStatus.Sending)
        {
            if (delivery.IsClaimedByAnotherAt(now, messageId))
            {
                // Another copy of this message is sending right now; look again once its claim lapses.
                return new SendOutcome.Defer(delivery.ClaimedUntil!.Value - now);
            }

            bool accepted;
            try
            {
                accepted = await email.WasAcceptedAsync(delivery.OperationId, cancellationToken);
            }
            catch (DependencyUnavailableException e)
            {
                // Get Email Status is rate limited hard: a throttled or failed poll waits without using up an attempt.
                return new SendOutcome.Defer(e.RetryAfter ?? StatusPollDelay);
            }

            if (accepted)
            {
                await RecordSendAsync(message, AuditActions.SecretEmailSent, cancellationToken);
                await deliveries.UpdateAsync(delivery with { Status = DeliveryStatus.Sent, SentAt = clock.GetUtcNow(), ClaimedBy = null, ClaimedUntil = null }, cancellationToken);
                return new SendOutcome.Done();
            }
        }

        // Claim the send first, exclusively until the lease ends: a copy of this message that arrives meanwhile waits.
        delivery = await deliveries.UpdateAsync(delivery with { Status = DeliveryStatus.Sending, ClaimedBy = messageId, ClaimedUntil = now + ClaimLease }, cancellationToken);
        var mayBeAccepted = false;
        try
        {
            var token = LinkTokens.Derive(await linkKeys.GetKeyAsync(cancellationToken), delivery.DeliveryId);
            await deliveries.AddLinkAsync(LinkTokens.Hash(token), delivery, cancellationToken);
            if (clock.GetUtcNow() >= delivery.ClaimedUntil)
            {
                // Too slow to get here: another copy may hold the delivery by now.
                return new SendOutcome.Retry();
            }

            var content = new SecretEmailTemplate.Content(
                settings.ProductName, found!.Value.Application.ApplicationName, delivery.CreatedByName, delivery.RecipientName, delivery.ExpiresAt,
                new Uri(settings.PublicBaseUrl, $"s/{token}"), delivery.PassphraseHash is not null);
            EmailSendResult result;
            mayBeAccepted = true;
            try
            {
                result = await email.SendAsync(SecretEmailTemplate.Render(delivery.RecipientEmail, content), delivery.OperationId, cancellationToken);
            }
            catch (Exception e) when (e is not (DependencyUnavailableException or OperationCanceledException))
            {
                // A definite refusal (our credentials, an unexpected status): nothing was accepted.
                mayBeAccepted = false;
                throw;
            }

            switch (result)
            {
                case EmailSendResult.Accepted:
                    await RecordSendAsync(message, AuditActions.SecretEmailSent, cancellationToken);
                    await deliveries.UpdateAsync(delivery with { Status = DeliveryStatus.Sent, SentAt = clock.GetUtcNow(), ClaimedBy = null, ClaimedUntil = null }, cancellationToken);
                    return new SendOutcome.Done();
                case EmailSendResult.Rejected rejected:
                    await RecordSendAsync(message, AuditActions.SecretEmailFailed, cancellationToken);
                    await deliveries.UpdateAsync(delivery with { Status = DeliveryStatus.Failed, FailureReason = rejected.Reason, ClaimedBy = null, ClaimedUntil = null }, cancellationToken);
                    return new SendOutcome.Done();
                case EmailSendResult.Throttled throttled:
                    // Not accepted: back to queued, so that the deferred copy sends without a status poll.
                    await TryMarkAsync(delivery with { Status = DeliveryStatus.Queued, ClaimedBy = null, ClaimedUntil = null });
                    return new SendOutcome.Defer(throttled.RetryAfter);
                default:
                    throw new InvalidOperationException($"Unknown email result {result.GetType().Name}.");
            }
        }
        catch (Exception e) when (e is not DomainException { Kind: DomainErrorKind.VersionMismatch })
        {
            // Hand the claim back for the next attempt: still "sending" if the email may have gone out, so that it asks first.
            await TryMarkAsync(delivery with { Status = mayBeAccepted ? DeliveryStatus.Sending : DeliveryStatus.Queued, ClaimedBy = null, ClaimedUntil = null });
            throw;
        }
    }

    // Marks the delivery failed only when its email is known not to have been accepted: it is queued (never posted, or
    // refused), or ACS has no such operation. Otherwise it stays queued to callers until its link expires.
    async Task GiveUpAsync(SecretEmailMessage message, string messageId, long attempt)
    {
        try
        {
            var delivery = await deliveries.FindAsync(message.BusinessUnit, message.ApplicationId, message.DeliveryId, CancellationToken.None);
            var notAccepted = delivery switch
            {
                { Status: DeliveryStatus.Queued } => true,
                { Status: DeliveryStatus.Sending } when !delivery.IsClaimedByAnotherAt(clock.GetUtcNow(), messageId) =>
                    !await email.WasAcceptedAsync(delivery.OperationId, CancellationToken.None),
                _ => false,
            };
            if (notAccepted)
            {
                await RecordSendAsync(message, AuditActions.SecretEmailFailed, CancellationToken.None);
                await TryMarkAsync(delivery! with { Status = DeliveryStatus.Failed, FailureReason = $"The email could not be sent after {attempt} attempts.", ClaimedBy = null, ClaimedUntil = null });
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Unknown whether it went out: the delivery reads queued until its link expires, never failed with a live link.
        }
    }

    /// <summary>Marks expired every open delivery whose link lapsed; valid ones are not touched.</summary>
    public async Task<int> ExpireLapsedAsync(CancellationToken cancellationToken)
    {
        var expired = 0;
        foreach (var delivery in await deliveries.ListExpiredOpenAsync(clock.GetUtcNow(), cancellationToken))
        {
            if (await TryMarkAsync(delivery with { Status = DeliveryStatus.Expired }))
            {
                expired++;
            }
        }

        return expired;
    }

    // Written before the delivery's status changes: if it fails, the message comes back and the entry is written then
    // (at least once). The entry carries the correlation id of the request that asked for the email.
    Task RecordSendAsync(SecretEmailMessage message, string action, CancellationToken cancellationToken) =>
        audit.RecordAsync(
            new AuditContext(AuditActor.System, message.CorrelationId ?? message.DeliveryId), message.BusinessUnit, action,
            AuditTarget.SecretEmail(message.ApplicationId, message.DeliveryId), action == AuditActions.SecretEmailSent ? AuditOutcomes.Succeeded : AuditOutcomes.Failed,
            cancellationToken);

    // Best effort: a concurrent change or an outage leaves the row for the next attempt or the purge to settle.
    async Task<bool> TryMarkAsync(Delivery delivery)
    {
        try
        {
            await deliveries.UpdateAsync(delivery, CancellationToken.None);
            return true;
        }
        catch (Exception e) when (e is DependencyUnavailableException or DomainException { Kind: DomainErrorKind.VersionMismatch })
        {
            return false;
        }
    }
}
