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
/// delivery. The delivery record, not the email service, guarantees "once": before a resend it asks the service whether
/// the delivery's operation id was already accepted.
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

    /// <summary>One attempt of the queue function. Idempotent: any number of deliveries of the same message send at most one email.</summary>
    public async Task<SendOutcome> SendAsync(SecretEmailMessage message, long attempt, CancellationToken cancellationToken)
    {
        try
        {
            return await TrySendAsync(message, cancellationToken);
        }
        catch (DependencyUnavailableException) when (attempt >= settings.MaxAttempts)
        {
            // The queue is about to give up on this message; say so on the delivery instead of leaving it queued.
            if (await deliveries.FindAsync(message.BusinessUnit, message.ApplicationId, message.DeliveryId, cancellationToken) is { Status: DeliveryStatus.Queued or DeliveryStatus.Sending } stuck)
            {
                await RecordSendAsync(message, AuditActions.SecretEmailFailed, cancellationToken);
                await TryMarkAsync(stuck with { Status = DeliveryStatus.Failed, FailureReason = $"The email could not be sent after {attempt} attempts." });
            }

            return new SendOutcome.Retry();
        }
        catch (Exception e) when (e is DependencyUnavailableException or DomainException { Kind: DomainErrorKind.VersionMismatch })
        {
            return new SendOutcome.Retry();
        }
    }

    async Task<SendOutcome> TrySendAsync(SecretEmailMessage message, CancellationToken cancellationToken)
    {
        var delivery = await deliveries.FindAsync(message.BusinessUnit, message.ApplicationId, message.DeliveryId, cancellationToken);
        if (delivery is not { Status: DeliveryStatus.Queued or DeliveryStatus.Sending })
        {
            return new SendOutcome.Done();
        }

        var found = await applications.FindWithSecretsAsync(message.BusinessUnit, message.ApplicationId, cancellationToken);
        var status = delivery.EffectiveStatus(clock.GetUtcNow(), found?.Secrets ?? []);
        if (status is DeliveryStatus.Expired or DeliveryStatus.Revoked)
        {
            await deliveries.UpdateAsync(delivery with { Status = status }, cancellationToken);
            return new SendOutcome.Done();
        }

        if (delivery.Status == DeliveryStatus.Sending && await email.WasAcceptedAsync(delivery.OperationId, cancellationToken))
        {
            await RecordSendAsync(message, AuditActions.SecretEmailSent, cancellationToken);
            await deliveries.UpdateAsync(delivery with { Status = DeliveryStatus.Sent, SentAt = clock.GetUtcNow() }, cancellationToken);
            return new SendOutcome.Done();
        }

        // Claim the send first: a concurrent duplicate of this message fails here instead of sending again.
        delivery = await deliveries.UpdateAsync(delivery with { Status = DeliveryStatus.Sending }, cancellationToken);
        var token = LinkTokens.Derive(await linkKeys.GetKeyAsync(cancellationToken), delivery.DeliveryId);
        await deliveries.AddLinkAsync(LinkTokens.Hash(token), delivery, cancellationToken);

        var content = new SecretEmailTemplate.Content(
            settings.ProductName, found!.Value.Application.ApplicationName, delivery.CreatedByName, delivery.RecipientName, delivery.ExpiresAt,
            new Uri(settings.PublicBaseUrl, $"s/{token}"), delivery.PassphraseHash is not null);
        var result = await email.SendAsync(SecretEmailTemplate.Render(delivery.RecipientEmail, content), delivery.OperationId, cancellationToken);
        switch (result)
        {
            case EmailSendResult.Accepted:
                await RecordSendAsync(message, AuditActions.SecretEmailSent, cancellationToken);
                await deliveries.UpdateAsync(delivery with { Status = DeliveryStatus.Sent, SentAt = clock.GetUtcNow() }, cancellationToken);
                return new SendOutcome.Done();
            case EmailSendResult.Rejected rejected:
                await RecordSendAsync(message, AuditActions.SecretEmailFailed, cancellationToken);
                await deliveries.UpdateAsync(delivery with { Status = DeliveryStatus.Failed, FailureReason = rejected.Reason }, cancellationToken);
                return new SendOutcome.Done();
            case EmailSendResult.Throttled throttled:
                return new SendOutcome.Defer(throttled.RetryAfter);
            default:
                throw new InvalidOperationException($"Unknown email result {result.GetType().Name}.");
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
