namespace ServerlessCreds.Adapters.Tables;

/// <summary>One page of a query; pass <paramref name="ContinuationToken"/> back unchanged for the next page (null: no more).</summary>
public sealed record TablePage(IReadOnlyList<TableEntity> Items, string? ContinuationToken);
