using ServerlessCreds.Applications;
using ServerlessCreds.Audit;
using ServerlessCreds.Common;

namespace ServerlessCreds.Credentials;

/// <summary>
/// Issues, rotates and revokes client secrets. The vault is written first and the tables second, so a vault failure
/// leaves nothing behind; when the table write fails after it, however it fails, the new vault version is disabled again.
/// </summary>
public sealed class CredentialService(IApplicationStore store, ISecretVault vault, AuditTrail audit, TimeProvider clock)
{
    /// <summary>A page of the application's secrets in creation order; null when there is no such application.</summary>
    public Task<Page<ClientSecret>?> ListAsync(string businessUnit, string applicationId, PageRequest page, CancellationToken cancellationToken) =>
        store.FindSecretPageAsync(businessUnit, applicationId, page, cancellationToken);

    /// <summary>Generates a secret and stores its value in the vault; the caller persists the metadata (and must call <see cref="AbandonAfterFailedWriteAsync"/> if that fails).</summary>
    public async Task<IssuedSecret> GenerateAsync(string businessUnit, string applicationId, string secretId, int lifetimeDays, CancellationToken cancellationToken)
    {
        var value = ClientSecretGenerator.Generate();
        var now = clock.GetUtcNow();
        var expiresAt = now.AddDays(lifetimeDays);
        var version = await vault.StoreAsync(new SecretLocator(businessUnit, applicationId, secretId), value, expiresAt, cancellationToken);
        var metadata = new ClientSecret
        {
            SecretId = secretId,
            ApplicationId = applicationId,
            BusinessUnit = businessUnit,
            Hint = value[^4..],
            CreatedAt = now,
            ExpiresAt = expiresAt,
            Vault = version,
        };
        return new IssuedSecret(metadata, value);
    }

    /// <summary>The requested lifetime in days, or the default; 1..<see cref="ClientSecret.MaxLifetimeDays"/>.</summary>
    public static int LifetimeDays(int? expiresInDays)
    {
        var lifetime = expiresInDays ?? ClientSecret.DefaultLifetimeDays;
        return lifetime is < 1 or > ClientSecret.MaxLifetimeDays
            ? throw DomainException.Invalid("expiresInDays", $"Must be between 1 and {ClientSecret.MaxLifetimeDays}.")
            : lifetime;
    }

    /// <summary>Disables a generated secret whose metadata could not be stored, so no unreferenced value stays usable.</summary>
    public async Task AbandonAsync(IssuedSecret secret, Exception cause)
    {
        try
        {
            await vault.DisableAsync(secret.Metadata.Vault, CancellationToken.None);
        }
        catch (DependencyUnavailableException compensation)
        {
            throw new OrphanedSecretException(secret.Metadata.Vault, new AggregateException(cause, compensation));
        }
    }

    /// <summary>
    /// Abandons a secret whose metadata write failed. That write may have been applied all the same (its answer lost, its
    /// retries failed), so its row, if there is one, is then recorded revoked. If storage is still down, such a row reads
    /// active until it is revoked; that fails safe, as its value no longer works.
    /// </summary>
    public async Task AbandonAfterFailedWriteAsync(IssuedSecret secret, Exception cause, AuditContext context)
    {
        await AbandonAsync(secret, cause);
        await RecordRevokedAsync(secret.Metadata.BusinessUnit, secret.Metadata.ApplicationId, new HashSet<string> { secret.Metadata.SecretId }, context);
    }

    /// <summary>Adds a second active secret so a customer can rotate without downtime; null when the application does not exist.</summary>
    public async Task<Rotation?> RotateAsync(string businessUnit, string applicationId, int? expiresInDays, AuditContext context, CancellationToken cancellationToken)
    {
        var lifetimeDays = LifetimeDays(expiresInDays);
        // The application first, its secrets after: a rotation committed in between then shows in the secrets and
        // fails this one's write, conditional on the version read here. Read together, the two could straddle it.
        if (await store.FindAsync(businessUnit, applicationId, cancellationToken) is not { } application)
        {
            return null;
        }

        var secrets = await store.ListSecretsAsync(application, cancellationToken);
        var now = clock.GetUtcNow();
        var active = secrets.Count(s => s.StateAt(now) == SecretState.Active);
        if (active >= ClientSecret.MaxActivePerApplication)
        {
            throw DomainException.Conflict($"The application already has {ClientSecret.MaxActivePerApplication} active secrets; revoke one first.");
        }

        var secretId = Ids.New();
        return await audit.RecordChangeAsync(context, businessUnit, AuditActions.SecretCreated, AuditTarget.Secret(applicationId, secretId), async () =>
        {
            var issued = await GenerateAsync(businessUnit, applicationId, secretId, lifetimeDays, cancellationToken);
            try
            {
                // Conditional on the application's version, so two concurrent rotations cannot both pass the count above.
                return new Rotation(await store.AddSecretAsync(application with { UpdatedAt = now }, issued.Metadata, cancellationToken), issued);
            }
            catch (Exception e)
            {
                await AbandonAfterFailedWriteAsync(issued, e, context);
                throw e is DomainException { Kind: DomainErrorKind.VersionMismatch }
                    ? DomainException.Conflict("The application changed while the secret was being added; try again.")
                    : e;
            }
        }, cancellationToken);
    }

    /// <summary>
    /// Revokes at once: the vault version is disabled before the metadata says so. False when there is no such secret,
    /// also when its application is deleted while the revocation runs.
    /// </summary>
    public async Task<bool> RevokeAsync(string businessUnit, string applicationId, string secretId, AuditContext context, CancellationToken cancellationToken)
    {
        var secret = (await store.FindWithSecretsAsync(businessUnit, applicationId, cancellationToken))?.Secrets.FirstOrDefault(s => s.SecretId == secretId);
        if (secret is null)
        {
            return false;
        }

        if (secret.RevokedAt is not null)
        {
            return true;
        }

        try
        {
            return await audit.RecordChangeAsync(context, businessUnit, AuditActions.SecretRevoked, AuditTarget.Secret(applicationId, secretId), async () =>
            {
                await vault.DisableAsync(secret.Vault, cancellationToken);
                // Replacing may undo a retirement written meanwhile; harmless, as the purge never lists revoked secrets.
                await store.UpdateSecretAsync(secret with { RevokedAt = clock.GetUtcNow() }, cancellationToken);
                return true;
            }, cancellationToken);
        }
        catch (DomainException e) when (e.Kind == DomainErrorKind.VersionMismatch)
        {
            // The application was deleted meanwhile, its secrets' rows with it (and their vault versions disabled first).
            return false;
        }
    }

    /// <summary>
    /// Disables the vault versions of secrets that expired, so an expired value cannot be read even by mistake. A secret that
    /// fails does not hold up the others; the run then fails, and the next run tries that one again.
    /// </summary>
    public async Task<int> RetireExpiredAsync(CancellationToken cancellationToken)
    {
        var retired = 0;
        var failures = new List<Exception>();
        foreach (var secret in await store.ListExpiredUnretiredSecretsAsync(clock.GetUtcNow(), cancellationToken))
        {
            try
            {
                await vault.DisableAsync(secret.Vault, cancellationToken);
                await store.MarkSecretRetiredAsync(secret, cancellationToken);
                retired++;
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                failures.Add(e);
            }
        }

        return failures.Count == 0 ? retired : throw new AggregateException($"{failures.Count} expired secrets could not be retired ({retired} were).", failures);
    }

    /// <summary>Disables the secret's vault version, as its application is deleted (before its rows go, so none stays usable).</summary>
    public Task DisableAsync(ClientSecret secret, CancellationToken cancellationToken) => vault.DisableAsync(secret.Vault, cancellationToken);

    /// <summary>
    /// Records as revoked the secrets among <paramref name="disabledSecretIds"/> that still read active: a delete of their application
    /// (or a create or rotation abandoning them) disabled their vault versions and then failed, and a secret must not read active when
    /// it no longer works. Best effort: rows that are gone (or never written) need nothing, and when storage fails the delete's retry settles them.
    /// </summary>
    public async Task RecordRevokedAsync(string businessUnit, string applicationId, IReadOnlySet<string> disabledSecretIds, AuditContext context)
    {
        if (disabledSecretIds.Count == 0)
        {
            return;
        }

        // Not the request's token: a cancelled request must still leave the metadata in line with the vault.
        try
        {
            // Read again: a revocation or a retirement may have been written since the delete listed them.
            var now = clock.GetUtcNow();
            var found = await store.FindWithSecretsAsync(businessUnit, applicationId, CancellationToken.None);
            foreach (var secret in found?.Secrets.Where(s => s.StateAt(now) == SecretState.Active && disabledSecretIds.Contains(s.SecretId)) ?? [])
            {
                await audit.RecordChangeAsync(context, businessUnit, AuditActions.SecretRevoked, AuditTarget.Secret(applicationId, secret.SecretId), async () =>
                {
                    await store.UpdateSecretAsync(secret with { RevokedAt = now }, CancellationToken.None);
                    return true;
                }, CancellationToken.None);
            }
        }
        catch (Exception e) when (e is DependencyUnavailableException or DomainException { Kind: DomainErrorKind.VersionMismatch })
        {
            // Storage failed as well, or the application's rows went meanwhile; the caller sees the delete's own failure.
        }
    }
}

/// <summary>A rotation's result: the new secret (its value shown once) and the application at its new version.</summary>
public sealed record Rotation(Application Application, IssuedSecret Secret);

/// <summary>A vault secret could neither be referenced nor disabled; operators must disable it (the name is safe to log).</summary>
public sealed class OrphanedSecretException(VaultSecretVersion vaultSecret, Exception innerException)
    : Exception($"Vault secret {vaultSecret.Name}/{vaultSecret.Version} was created but could not be recorded or disabled.", innerException)
{
    public VaultSecretVersion VaultSecret { get; } = vaultSecret;
}
