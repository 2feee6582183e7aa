using System.Buffers.Text;
using System.Text;
using ServerlessCreds.Common;

namespace ServerlessCreds.Adapters.Tables;

static class TablePages
{
    /// <summary>Reads every page of a small, bounded query (catalogs); never used for per-tenant data.</summary>
    public static async Task<IReadOnlyList<TableEntity>> ReadAllAsync(TableClient table, string filter, CancellationToken cancellationToken)
    {
        var rows = new List<TableEntity>();
        string? continuation = null;
        do
        {
            var page = await table.QueryAsync(filter, null, continuation, null, cancellationToken);
            rows.AddRange(page.Items);
            continuation = page.ContinuationToken;
        }
        while (continuation is not null);

        return rows;
    }

    /// <summary>
    /// One page of the rows of one partition (a business unit, a catalog) that match <paramref name="filter"/>, if given. The
    /// page token names its partition, so a token from one business unit's list is refused by another's.
    /// </summary>
    public static async Task<Page<TableEntity>> ReadPartitionPageAsync(
        TableClient table, string partitionKey, string? filter, PageRequest page, CancellationToken cancellationToken)
    {
        var tableToken = page.ContinuationToken is null ? null : UnwrapContinuation(partitionKey, page.ContinuationToken);
        var inPartition = TableFilter.Equal("PartitionKey", partitionKey);
        TablePage rows;
        try
        {
            rows = await table.QueryAsync(filter is null ? inPartition : TableFilter.And(inPartition, filter), page.Size, tableToken, null, cancellationToken);
        }
        catch (ArgumentException e) when (e.ParamName == "continuationToken")
        {
            throw PageRequest.InvalidContinuation();
        }

        return new Page<TableEntity>(rows.Items, rows.ContinuationToken is null ? null : WrapContinuation(partitionKey, rows.ContinuationToken));
    }

    static string WrapContinuation(string partitionKey, string tableToken) =>
        Base64Url.EncodeToString(Encoding.UTF8.GetBytes($"{partitionKey}\n{tableToken}"));

    static string UnwrapContinuation(string partitionKey, string token)
    {
        string text;
        try
        {
            text = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(token));
        }
        catch (FormatException)
        {
            throw PageRequest.InvalidContinuation();
        }

        var separator = text.IndexOf('\n', StringComparison.Ordinal);
        if (separator < 0 || text[..separator] != partitionKey)
        {
            throw PageRequest.InvalidContinuation();
        }

        return text[(separator + 1)..];
    }
}
