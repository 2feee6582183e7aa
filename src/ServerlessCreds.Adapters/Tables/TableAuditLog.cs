using System.Globalization;
using ServerlessCreds.Audit;
using ServerlessCreds.Common;

namespace ServerlessCreds.Adapters.Tables;

/// <summary>
/// One partition per business unit; the row key is the inverted time (19 digits) and the entry's id, so a partition
/// reads newest first and a time window is a row-key range, never a scan.
/// </summary>
public sealed class TableAuditLog(StorageTables tables) : IAuditLog
{
    public async Task RecordAsync(AuditEntry entry, CancellationToken cancellationToken) =>
        await tables.Audit.UpsertAsync(ToEntity(entry), TableUpdateMode.Replace, cancellationToken);

    public async Task<Page<AuditEntry>> ListAsync(string businessUnit, DateTimeOffset? from, DateTimeOffset? until, PageRequest page, CancellationToken cancellationToken)
    {
        // Newer sorts first. An entry at or after 'from' sorts before the key of the tick just before it; an entry
        // before 'until' sorts at or after the key of the tick just before 'until'.
        var filter = TableFilter.And(
            TableFilter.LessThan("RowKey", from is null ? "~" : Key(Inverted(from.Value) + 1)),
            TableFilter.GreaterThanOrEqual("RowKey", until is null ? "" : Key(Inverted(until.Value) + 1)));
        var rows = await TablePages.ReadPartitionPageAsync(tables.Audit, businessUnit, filter, page, cancellationToken);
        return new Page<AuditEntry>(rows.Items.Select(ToEntry).ToList(), rows.ContinuationToken);
    }

    static long Inverted(DateTimeOffset at) => DateTimeOffset.MaxValue.UtcTicks - at.UtcTicks;

    static string Key(long invertedTicks) => invertedTicks.ToString("D19", CultureInfo.InvariantCulture);

    static TableEntity ToEntity(AuditEntry entry) =>
        new(entry.BusinessUnit, $"{Key(Inverted(entry.At))}-{entry.Id}")
        {
            ["At"] = entry.At,
            ["ActorId"] = entry.ActorId,
            ["ActorName"] = entry.ActorName,
            ["Action"] = entry.Action,
            ["TargetType"] = entry.TargetType,
            ["TargetId"] = entry.TargetId,
            ["Outcome"] = entry.Outcome,
            ["CorrelationId"] = entry.CorrelationId,
        };

    static AuditEntry ToEntry(TableEntity row) =>
        new()
        {
            Id = row.RowKey[(row.RowKey.IndexOf('-', StringComparison.Ordinal) + 1)..],
            BusinessUnit = row.PartitionKey,
            // The key keeps every tick; the At property is for people browsing the table.
            At = new DateTimeOffset(DateTimeOffset.MaxValue.UtcTicks - long.Parse(row.RowKey[..19], CultureInfo.InvariantCulture), TimeSpan.Zero),
            ActorId = row.GetString("ActorId")!,
            ActorName = row.GetString("ActorName")!,
            Action = row.GetString("Action")!,
            TargetType = row.GetString("TargetType")!,
            TargetId = row.GetString("TargetId")!,
            Outcome = row.GetString("Outcome")!,
            CorrelationId = row.GetString("CorrelationId")!,
        };
}
