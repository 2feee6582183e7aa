using ServerlessCreds.Applications;
using ServerlessCreds.Audit;
using ServerlessCreds.Common;
using ServerlessCreds.Credentials;
using ServerlessCreds.Deliveries;

namespace ServerlessCreds.SecretLinks;

public abstract record RevealResult
{
    RevealResult()
    {
    }

    public sealed record Revealed(string ApplicationName, string ClientId, string ClientSecret) : RevealResult
    {
        public override string ToString() => $"Revealed {{ ApplicationName = {ApplicationName}, ClientId = {ClientId} }}";
    }

    /// <summary>The link can be revealed (what the interstitial page shows; nothing was consumed).</summary>
    public sealed record Ready(string ApplicationName, bool NeedsPassphrase) : RevealResult;

    /// <summary>No link has this token.</summary>
    public sealed record Unknown : RevealResult;

    /// <summary>The link existed but can no longer be used: viewed, expired, revoked or burnt.</summary>
    public sealed record Unavailable(DeliveryStatus Status) : RevealResult;

    public sealed record PassphraseRequired : RevealResult;

    public sealed record WrongPassphrase(int RemainingTries) : RevealResult;
}

/// <summary>
/// One-time links. Looking at a link consumes nothing (mail scanners follow links); revealing succeeds exactly once:
/// the vault is read before the delivery is marked viewed, and that mark is an ETag-conditional write, so of any number
/// of concurrent reveals one wins and the rest see "already viewed". Every attempt on a known link is audited before
/// anything about the link changes, with one entry that ends saying what happened (a retry after a lost race rewrites
/// it); attempts with unknown tokens name no business unit and are not. Each write carries the attempt's id, so a write
/// that was applied but whose answer was lost (its retry fails the condition on it) still counts as this attempt's.
/// </summary>
public sealed class RevealService(IApplicationStore applications, IDeliveryStore deliveries, ISecretVault vault, AuditTrail audit, TimeProvider clock)
{
    const int MaxConflictRetries = 10;

    public async Task<RevealResult> PreviewAsync(string token, CancellationToken cancellationToken)
    {
        var link = await OpenAsync(token, clock.GetUtcNow(), cancellationToken);
        return link.Result ?? new RevealResult.Ready(link.Application!.ApplicationName, link.Delivery!.PassphraseHash is not null);
    }

    public async Task<RevealResult> RevealAsync(string token, string? passphrase, AuditContext context, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var attemptId = Ids.NewRandom();
        AuditAttempt? attempt = null;
        for (var tries = 0; tries < MaxConflictRetries; tries++)
        {
            var link = await OpenAsync(token, now, cancellationToken);
            if (link.Result is RevealResult.Unknown unknown)
            {
                return unknown;
            }

            var delivery = link.Delivery!;
            attempt ??= audit.Begin(context, delivery.BusinessUnit, AuditTarget.SecretEmail(delivery.ApplicationId, delivery.DeliveryId));
            if (link.Result is RevealResult.Unavailable unavailable)
            {
                await attempt.RecordAsync(AuditActions.SecretRevealRefused, RefusalOutcome(unavailable.Status, delivery), cancellationToken);
                return unavailable;
            }

            var (application, secret) = (link.Application!, link.Secret!);
            try
            {
                if (delivery.PassphraseHash is not null)
                {
                    if (string.IsNullOrEmpty(passphrase))
                    {
                        await attempt.RecordAsync(AuditActions.SecretRevealRefused, AuditOutcomes.PassphraseRequired, cancellationToken);
                        return new RevealResult.PassphraseRequired();
                    }

                    if (!Passphrases.Verify(passphrase, delivery.PassphraseHash))
                    {
                        return await CountWrongPassphraseAsync(attempt, delivery with { RevealAttemptId = attemptId }, cancellationToken);
                    }
                }

                // Read before committing: a vault failure must never burn the link without showing the secret.
                var value = await vault.ReadAsync(secret.Vault, cancellationToken);
                if (value is null)
                {
                    await attempt.RecordAsync(AuditActions.SecretRevealRefused, AuditOutcomes.Revoked, cancellationToken);
                    return new RevealResult.Unavailable(DeliveryStatus.Revoked);
                }

                await attempt.RecordChangeAsync(
                    AuditActions.SecretRevealed, AuditOutcomes.Succeeded,
                    () => UpdateAsync(delivery with { Status = DeliveryStatus.Viewed, ViewedAt = now, RevealAttemptId = attemptId }, cancellationToken),
                    cancellationToken);
                return new RevealResult.Revealed(application.ApplicationName, application.ClientId, value);
            }
            catch (DomainException e) when (e.Kind == DomainErrorKind.VersionMismatch)
            {
                // Someone else changed the link first (a reveal or a wrong try); look again, and rewrite this attempt's entry.
            }
        }

        throw new DependencyUnavailableException("link store");
    }

    async Task<RevealResult> CountWrongPassphraseAsync(AuditAttempt attempt, Delivery delivery, CancellationToken cancellationToken)
    {
        var wrong = delivery.WrongPassphrases + 1;
        var burnt = wrong >= Delivery.MaxWrongPassphrases;
        await attempt.RecordChangeAsync(
            AuditActions.SecretRevealRefused, burnt ? AuditOutcomes.Burnt : AuditOutcomes.WrongPassphrase,
            () => UpdateAsync(
                delivery with
                {
                    WrongPassphrases = wrong,
                    Status = burnt ? DeliveryStatus.Revoked : delivery.Status,
                    FailureReason = burnt ? $"Burnt after {Delivery.MaxWrongPassphrases} wrong passphrases." : delivery.FailureReason,
                },
                cancellationToken),
            cancellationToken);
        return burnt ? new RevealResult.Unavailable(DeliveryStatus.Revoked) : new RevealResult.WrongPassphrase(Delivery.MaxWrongPassphrases - wrong);
    }

    async Task<Delivery> UpdateAsync(Delivery changed, CancellationToken cancellationToken)
    {
        try
        {
            return await deliveries.UpdateAsync(changed, cancellationToken);
        }
        catch (DomainException e) when (e.Kind == DomainErrorKind.VersionMismatch)
        {
            // A retry after a lost answer fails its condition on our own write; the stored attempt id tells.
            var stored = await deliveries.FindAsync(changed.BusinessUnit, changed.ApplicationId, changed.DeliveryId, cancellationToken);
            if (stored is null || stored.RevealAttemptId != changed.RevealAttemptId)
            {
                throw;
            }

            return stored;
        }
    }

    async Task<OpenLink> OpenAsync(string token, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var delivery = LinkTokens.IsWellFormed(token) ? await deliveries.FindByLinkAsync(LinkTokens.Hash(token), cancellationToken) : null;
        if (delivery is null)
        {
            return new OpenLink(new RevealResult.Unknown(), null, null, null);
        }

        var found = await applications.FindWithSecretsAsync(delivery.BusinessUnit, delivery.ApplicationId, cancellationToken);
        var status = delivery.EffectiveStatus(now, found?.Secrets ?? []);
        return status is DeliveryStatus.Sent or DeliveryStatus.Queued
            ? new OpenLink(null, delivery, found!.Value.Application, found.Value.Secrets.Single(s => s.SecretId == delivery.SecretId))
            : new OpenLink(new RevealResult.Unavailable(status), delivery, null, null);
    }

    static string RefusalOutcome(DeliveryStatus status, Delivery delivery) => status switch
    {
        DeliveryStatus.Viewed => AuditOutcomes.AlreadyViewed,
        DeliveryStatus.Expired => AuditOutcomes.Expired,
        DeliveryStatus.Revoked when delivery.WrongPassphrases >= Delivery.MaxWrongPassphrases => AuditOutcomes.Burnt,
        DeliveryStatus.Revoked => AuditOutcomes.Revoked,
        _ => AuditOutcomes.NotSent,
    };

    sealed record OpenLink(RevealResult? Result, Delivery? Delivery, Application? Application, ClientSecret? Secret);
}
