using ServerlessCreds.Common;

namespace ServerlessCreds.Audit;

/// <summary>
/// Records changes in the same request that makes them. A change's entry is written (as <see cref="AuditOutcomes.Started"/>)
/// before anything is touched, so when the audit log is unavailable the request fails and changes nothing; the entry is
/// then rewritten with the final outcome. If only that last write fails, the change stands and the entry keeps "started".
/// </summary>
public sealed class AuditTrail(IAuditLog log, TimeProvider clock)
{
    /// <summary>The log of platform-wide changes (scope and external-application catalogs); never a valid business-unit id.</summary>
    public const string PlatformLog = "_platform";

    public Task<Page<AuditEntry>> ListAsync(string businessUnit, DateTimeOffset? from, DateTimeOffset? to, PageRequest page, CancellationToken cancellationToken)
    {
        if (from is not null && to is not null && from > to)
        {
            throw DomainException.Invalid("from", "Must not be later than 'to'.");
        }

        return log.ListAsync(businessUnit, from, to, page, cancellationToken);
    }

    /// <summary>Records <paramref name="action"/> around <paramref name="change"/>: started before it, then succeeded or failed.</summary>
    public async Task<T> RecordChangeAsync<T>(
        AuditContext context, string businessUnit, string action, AuditTarget target, Func<Task<T>> change, CancellationToken cancellationToken)
    {
        var entry = New(context, businessUnit, action, target, AuditOutcomes.Started);
        await log.RecordAsync(entry, cancellationToken);
        T result;
        try
        {
            result = await change();
        }
        catch (Exception)
        {
            await TryCompleteAsync(entry with { Outcome = AuditOutcomes.Failed });
            throw;
        }

        await TryCompleteAsync(entry with { Outcome = AuditOutcomes.Succeeded });
        return result;
    }

    /// <summary>Records something that is already decided (a refused reveal, a sent email) before its effects are stored.</summary>
    public async Task RecordAsync(AuditContext context, string businessUnit, string action, AuditTarget target, string outcome, CancellationToken cancellationToken) =>
        await log.RecordAsync(New(context, businessUnit, action, target, outcome), cancellationToken);

    AuditEntry New(AuditContext context, string businessUnit, string action, AuditTarget target, string outcome) =>
        new()
        {
            Id = Ids.NewRandom(),
            BusinessUnit = businessUnit,
            At = clock.GetUtcNow(),
            ActorId = context.Actor.Id,
            ActorName = context.Actor.Name,
            Action = action,
            TargetType = target.Type,
            TargetId = target.Id,
            Outcome = outcome,
            CorrelationId = context.CorrelationId,
        };

    // The change has happened (or failed) already; the "started" entry stays as its record rather than failing the request.
    async Task TryCompleteAsync(AuditEntry entry)
    {
        try
        {
            await log.RecordAsync(entry, CancellationToken.None);
        }
        catch (DependencyUnavailableException)
        {
        }
    }
}
