using ServerlessCreds.Common;

namespace ServerlessCreds.Audit;

public interface IAuditLog
{
    /// <summary>Writes the entry, replacing an earlier write of the same entry (same <see cref="AuditEntry.At"/> and <see cref="AuditEntry.Id"/>).</summary>
    Task RecordAsync(AuditEntry entry, CancellationToken cancellationToken);

    /// <summary>Newest first, <paramref name="from"/> inclusive and <paramref name="until"/> exclusive.</summary>
    Task<Page<AuditEntry>> ListAsync(string businessUnit, DateTimeOffset? from, DateTimeOffset? until, PageRequest page, CancellationToken cancellationToken);
}
