using ServerlessCreds.Common;

namespace ServerlessCreds.Audit;

/// <summary>
/// The one entry of one attempt. Every write replaces the previous one (same id and time), so an attempt that is retried,
/// say after its conditional write lost a race, still leaves a single entry, and that entry says how the attempt ended.
/// </summary>
public sealed class AuditAttempt
{
    readonly IAuditLog log;
    readonly AuditEntry entry;

    internal AuditAttempt(IAuditLog log, AuditEntry entry)
    {
        this.log = log;
        this.entry = entry;
    }

    /// <summary>Records an outcome that is already decided (a refused reveal, a sent email) before its effects are stored.</summary>
    public Task RecordAsync(string action, string outcome, CancellationToken cancellationToken) =>
        log.RecordAsync(entry with { Action = action, Outcome = outcome }, cancellationToken);

    /// <summary>
    /// Records <paramref name="action"/> around <paramref name="change"/>: started before it, then <paramref name="outcome"/>
    /// once it is stored, or failed if it throws.
    /// </summary>
    public async Task<T> RecordChangeAsync<T>(string action, string outcome, Func<Task<T>> change, CancellationToken cancellationToken)
    {
        await RecordAsync(action, AuditOutcomes.Started, cancellationToken);
        T result;
        try
        {
            result = await change();
        }
        catch (Exception)
        {
            await TryCompleteAsync(action, AuditOutcomes.Failed);
            throw;
        }

        await TryCompleteAsync(action, outcome);
        return result;
    }

    /// <summary>
    /// Records the outcome of a change that has happened (or failed) already: when storage fails, the entry written before
    /// stays as its record rather than failing the request.
    /// </summary>
    public async Task TryCompleteAsync(string action, string outcome)
    {
        try
        {
            await RecordAsync(action, outcome, CancellationToken.None);
        }
        catch (DependencyUnavailableException)
        {
        }
    }
}
