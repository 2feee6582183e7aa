using ServerlessCreds.Adapters.Tables;

namespace ServerlessCreds.Host.Tests;

static class TableRows
{
    /// <summary>Every row matching <paramref name="filter"/>, following continuation tokens past the service's 1,000-row pages.</summary>
    public static async Task<IReadOnlyList<TableEntity>> ReadAllAsync(this TableClient table, string? filter = null)
    {
        var rows = new List<TableEntity>();
        string? continuation = null;
        do
        {
            var page = await table.QueryAsync(filter, continuationToken: continuation);
            rows.AddRange(page.Items);
            continuation = page.ContinuationToken;
        }
        while (continuation is not null);

        return rows;
    }

    /// <summary>A row's keys and property values as text, for searching stored data for values that must not be there.</summary>
    public static IEnumerable<string> Texts(this TableEntity row) =>
        row.Properties.Values.Select(value => value?.ToString() ?? "").Append(row.PartitionKey).Append(row.RowKey);
}
