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
}
