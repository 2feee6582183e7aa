using ServerlessCreds.Audit;
using ServerlessCreds.Common;
using ServerlessCreds.Credentials;
using ServerlessCreds.ExternalApplications;
using ServerlessCreds.Scopes;

namespace ServerlessCreds.Applications;

public sealed record NewApplication(
    string? Kind,
    string? ExternalApplicationId,
    string? VendorName,
    string? ApplicationName,
    IReadOnlyList<string?>? Scopes,
    IReadOnlyList<string?>? CallbackUrls);

/// <summary>A partial update: null members stay as they are.</summary>
public sealed record ApplicationChanges(string? VendorName, string? ApplicationName, IReadOnlyList<string?>? CallbackUrls, bool? Enabled);

/// <summary>An application as created: the only moment its first secret's value is available.</summary>
public sealed record CreatedApplication(Application Application, IssuedSecret Secret);

public sealed class ApplicationService(
    IApplicationStore store,
    IClientIdRegistry clientIds,
    IExternalApplicationCatalog externalApplications,
    ScopeService scopes,
    CredentialService credentials,
    AuditTrail audit,
    TimeProvider clock)
{
    // A delete loses a try only to a change committed within it, so a few tries outlast all but a stream of changes.
    const int MaxDeleteTries = 3;

    public Task<Page<Application>> ListAsync(string businessUnit, PageRequest page, CancellationToken cancellationToken) =>
        store.ListAsync(businessUnit, page, cancellationToken);

    public Task<Application?> FindAsync(string businessUnit, string id, CancellationToken cancellationToken) =>
        store.FindAsync(businessUnit, id, cancellationToken);

    public async Task<CreatedApplication> CreateAsync(string businessUnit, NewApplication request, AuditContext context, CancellationToken cancellationToken)
    {
        var draft = request.Kind switch
        {
            "internal" => await InternalDraftAsync(request, cancellationToken),
            "external" => await ExternalDraftAsync(request, cancellationToken),
            null => throw DomainException.Invalid("kind", "Is required."),
            _ => throw DomainException.Invalid("kind", "Must be 'internal' or 'external'."),
        };

        var id = Ids.New();
        return await audit.RecordChangeAsync(context, businessUnit, AuditActions.ApplicationCreated, AuditTarget.Application(id), async () =>
        {
            var now = clock.GetUtcNow();
            // Neither needs the other, so both round trips are in flight at once; a reserved client id that ends up
            // unused is harmless (ids are never reused), an unused vault secret is disabled.
            var reservation = ReserveClientIdAsync(businessUnit, id, cancellationToken);
            var generation = credentials.GenerateAsync(businessUnit, id, Ids.New(), ClientSecret.DefaultLifetimeDays, cancellationToken);
            try
            {
                await Task.WhenAll(reservation, generation);
            }
            catch (Exception e) when (generation.IsCompletedSuccessfully)
            {
                await credentials.AbandonAsync(generation.Result, e);
                throw;
            }

            var secret = generation.Result;
            var application = draft with
            {
                Id = id,
                BusinessUnit = businessUnit,
                ClientId = reservation.Result,
                CreatedAt = now,
                CreatedBy = context.Actor.Id,
                UpdatedAt = now,
            };

            try
            {
                return new CreatedApplication(await store.AddAsync(application, secret.Metadata, cancellationToken), secret);
            }
            catch (Exception e)
            {
                await credentials.AbandonAfterFailedWriteAsync(secret, e, context);
                throw;
            }
        }, cancellationToken);
    }

    /// <summary>Applies <paramref name="changes"/> if the application is still at one of <paramref name="expectedVersions"/> (when given).</summary>
    public async Task<Application?> UpdateAsync(
        string businessUnit, string id, ApplicationChanges changes, IReadOnlyList<string>? expectedVersions, AuditContext context, CancellationToken cancellationToken)
    {
        var current = await store.FindAsync(businessUnit, id, cancellationToken);
        if (current is null)
        {
            return null;
        }

        if (expectedVersions is not null && !expectedVersions.Contains(current.Version))
        {
            throw DomainException.VersionMismatch();
        }

        var errors = new FieldErrors();
        if (current.Kind == ApplicationKind.External)
        {
            RejectCatalogOwnedChanges(changes, errors);
        }

        Text.CheckOptional(errors, "vendorName", changes.VendorName, 1, 100);
        Text.CheckOptional(errors, "applicationName", changes.ApplicationName, 1, 100);
        var callbackUrls = changes.CallbackUrls is null ? current.CallbackUrls : CallbackUrls.Normalise(changes.CallbackUrls, "callbackUrls", errors);
        errors.ThrowIfAny();

        var updated = current with
        {
            VendorName = changes.VendorName ?? current.VendorName,
            ApplicationName = changes.ApplicationName ?? current.ApplicationName,
            CallbackUrls = callbackUrls,
            Enabled = changes.Enabled ?? current.Enabled,
            UpdatedAt = clock.GetUtcNow(),
        };
        return await audit.RecordChangeAsync(
            context, businessUnit, AuditActions.ApplicationUpdated, AuditTarget.Application(id), () => store.UpdateAsync(updated, cancellationToken), cancellationToken);
    }

    public async Task<Application?> AddScopeAsync(string businessUnit, string id, string scope, AuditContext context, CancellationToken cancellationToken)
    {
        var current = await store.FindAsync(businessUnit, id, cancellationToken);
        if (current is null)
        {
            return null;
        }

        var errors = new FieldErrors();
        var resolved = await scopes.ResolveAsync([scope], "scope", errors, cancellationToken);
        errors.ThrowIfAny();
        if (current.Scopes.Contains(resolved[0], StringComparer.OrdinalIgnoreCase))
        {
            return current;
        }

        if (current.Scopes.Count >= Application.MaxScopes)
        {
            throw DomainException.Invalid("scope", $"An application can hold at most {Application.MaxScopes} scopes.");
        }

        var updated = current with { Scopes = [.. current.Scopes, resolved[0]], UpdatedAt = clock.GetUtcNow() };
        return await audit.RecordChangeAsync(
            context, businessUnit, AuditActions.ApplicationScopeAdded, AuditTarget.ApplicationScope(id, resolved[0]), () => store.UpdateAsync(updated, cancellationToken), cancellationToken);
    }

    public async Task<Application?> RemoveScopeAsync(string businessUnit, string id, string scope, AuditContext context, CancellationToken cancellationToken)
    {
        var current = await store.FindAsync(businessUnit, id, cancellationToken);
        if (current is null)
        {
            return null;
        }

        var removed = current.Scopes.FirstOrDefault(s => s.Equals(scope, StringComparison.OrdinalIgnoreCase));
        if (removed is null)
        {
            return current;
        }

        var remaining = current.Scopes.Where(s => s != removed).ToList();

        if (remaining.Count == 0)
        {
            throw DomainException.Invalid("scope", "The last scope of an application cannot be removed.");
        }

        var updated = current with { Scopes = remaining, UpdatedAt = clock.GetUtcNow() };
        return await audit.RecordChangeAsync(
            context, businessUnit, AuditActions.ApplicationScopeRemoved, AuditTarget.ApplicationScope(id, removed), () => store.UpdateAsync(updated, cancellationToken), cancellationToken);
    }

    /// <summary>
    /// Deletes the application and its secrets, their vault versions disabled first; false when it does not exist in that
    /// business unit. The delete takes no precondition, so a change that lands between its read and its conditional write
    /// makes it read the application again and retry; when that finds it gone, it is deleted as asked (another delete won, or
    /// this one's write was applied and its answer lost: the two cannot be told apart). When every try loses, it
    /// throws a conflict. Whenever it fails, the secrets it disabled and whose rows remain are marked revoked (best effort: if
    /// storage fails too, they read active until a retried delete finishes).
    /// </summary>
    public async Task<bool> DeleteAsync(string businessUnit, string id, AuditContext context, CancellationToken cancellationToken)
    {
        var current = await store.FindAsync(businessUnit, id, cancellationToken);
        if (current is null)
        {
            return false;
        }

        // One entry for the delete: each try rewrites it, so it ends with the outcome of the last.
        var attempt = audit.Begin(context, businessUnit, AuditTarget.Application(id));
        var disabledSecretIds = new HashSet<string>();
        try
        {
            for (var tries = 1; ; tries++)
            {
                try
                {
                    return await attempt.RecordChangeAsync(AuditActions.ApplicationDeleted, AuditOutcomes.Succeeded, async () =>
                    {
                        // Listed after the application was read, not with it: a secret added since then changed the
                        // application's version, so the conditional delete fails rather than leave that secret behind.
                        var secrets = await store.ListSecretsAsync(current, cancellationToken);
                        // Secrets stop working before their rows go; a retry disables only those it did not yet.
                        foreach (var secret in secrets.Where(s => !disabledSecretIds.Contains(s.SecretId)))
                        {
                            await credentials.DisableAsync(secret, cancellationToken);
                            disabledSecretIds.Add(secret.SecretId);
                        }

                        await store.DeleteAsync(current, secrets, cancellationToken);
                        return true;
                    }, cancellationToken);
                }
                catch (DomainException e) when (e.Kind == DomainErrorKind.VersionMismatch)
                {
                    // A rotation, an update or a scope change landed in between; the caller asked for the delete regardless.
                }

                current = await store.FindAsync(businessUnit, id, cancellationToken);
                if (current is null)
                {
                    await attempt.TryCompleteAsync(AuditActions.ApplicationDeleted, AuditOutcomes.Succeeded);
                    return true;
                }

                if (tries == MaxDeleteTries)
                {
                    throw DomainException.Conflict("The application kept changing while it was being deleted; try again. Secrets it had already disabled no longer work.");
                }
            }
        }
        catch (Exception)
        {
            // Disabled versions are never enabled again (the delete may have happened after all, or a revocation come in
            // meanwhile): the metadata follows the vault instead.
            await credentials.RecordRevokedAsync(businessUnit, id, disabledSecretIds, context);
            throw;
        }
    }

    async Task<Application> InternalDraftAsync(NewApplication request, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors();
        if (request.ExternalApplicationId is not null)
        {
            errors.Add("externalApplicationId", "Only external applications reference the catalog.");
        }

        Text.RequireName(errors, "vendorName", request.VendorName);
        Text.RequireName(errors, "applicationName", request.ApplicationName);
        var resolvedScopes = await ApplicationRules.ResolveScopesAsync(scopes, request.Scopes, errors, cancellationToken);
        var callbackUrls = CallbackUrls.Normalise(request.CallbackUrls ?? [], "callbackUrls", errors);
        errors.ThrowIfAny();
        return Draft(ApplicationKind.Internal, null, request.VendorName!, request.ApplicationName!, resolvedScopes, callbackUrls);
    }

    async Task<Application> ExternalDraftAsync(NewApplication request, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors();
        foreach (var (field, value) in new (string, object?)[]
                 {
                     ("vendorName", request.VendorName), ("applicationName", request.ApplicationName),
                     ("scopes", request.Scopes), ("callbackUrls", request.CallbackUrls),
                 })
        {
            if (value is not null)
            {
                errors.Add(field, "Comes from the external-application catalog and must not be given.");
            }
        }

        if (string.IsNullOrEmpty(request.ExternalApplicationId))
        {
            errors.Add("externalApplicationId", "Is required.");
        }

        errors.ThrowIfAny();
        var entry = await externalApplications.FindAsync(request.ExternalApplicationId!, cancellationToken)
            ?? throw DomainException.Invalid("externalApplicationId", "No such application in the external-application catalog.");
        return Draft(ApplicationKind.External, entry.Id, entry.VendorName, entry.ApplicationName, entry.Scopes, entry.CallbackUrls);
    }

    static void RejectCatalogOwnedChanges(ApplicationChanges changes, FieldErrors errors)
    {
        const string message = "Comes from the external-application catalog and cannot be changed.";
        if (changes.VendorName is not null)
        {
            errors.Add("vendorName", message);
        }

        if (changes.ApplicationName is not null)
        {
            errors.Add("applicationName", message);
        }

        if (changes.CallbackUrls is not null)
        {
            errors.Add("callbackUrls", message);
        }
    }

    static Application Draft(
        ApplicationKind kind, string? externalId, string vendorName, string applicationName, IReadOnlyList<string> scopes, IReadOnlyList<string> callbackUrls) =>
        new()
        {
            Id = "",
            BusinessUnit = "",
            Kind = kind,
            ExternalApplicationId = externalId,
            VendorName = vendorName,
            ApplicationName = applicationName,
            Scopes = scopes,
            CallbackUrls = callbackUrls,
            ClientId = "",
            Enabled = true,
            CreatedAt = default,
            CreatedBy = "",
            UpdatedAt = default,
        };

    async Task<string> ReserveClientIdAsync(string businessUnit, string applicationId, CancellationToken cancellationToken)
    {
        // 128 random bits make a collision practically impossible; the register makes "never reused" a checked fact.
        while (true)
        {
            var clientId = Ids.NewRandom();
            if (await clientIds.TryReserveAsync(clientId, businessUnit, applicationId, cancellationToken))
            {
                return clientId;
            }
        }
    }
}
