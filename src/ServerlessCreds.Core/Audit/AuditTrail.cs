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
    public Task<T> RecordChangeAsync<T>(
        AuditContext context, string businessUnit, string action, AuditTarget target, Func<Task<T>> change, CancellationToken cancellationToken) =>
        Begin(context, businessUnit, target).RecordChangeAsync(action, AuditOutcomes.Succeeded, change, cancellationToken);

    /// <summary>Records something that is already decided (a refused reveal, a sent email) before its effects are stored.</summary>
    public Task RecordAsync(AuditContext context, string businessUnit, string action, AuditTarget target, string outcome, CancellationToken cancellationToken) =>
        Begin(context, businessUnit, target).RecordAsync(action, outcome, cancellationToken);

    /// <summary>The entry of an attempt that may be retried; nothing is written until it records.</summary>
    public AuditAttempt Begin(AuditContext context, string businessUnit, AuditTarget target) =>
        // Action and outcome are filled in by each write.
        new(log, new AuditEntry
        {
            Id = Ids.NewRandom(),
            BusinessUnit = businessUnit,
            At = clock.GetUtcNow(),
            ActorId = context.Actor.Id,
            ActorName = context.Actor.Name,
            Action = "",
            TargetType = target.Type,
            TargetId = target.Id,
            Outcome = "",
            CorrelationId = context.CorrelationId,
        });
}
