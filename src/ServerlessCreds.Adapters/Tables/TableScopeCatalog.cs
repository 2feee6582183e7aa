using ServerlessCreds.Scopes;

namespace ServerlessCreds.Adapters.Tables;

/// <summary>One partition holds the catalog; the row key is the lower-cased name, which makes names unique case-insensitively.</summary>
public sealed class TableScopeCatalog(StorageTables tables) : IScopeCatalog
{
    const string Partition = "scope";

    public async Task<IReadOnlyList<Scope>> ListAsync(CancellationToken cancellationToken)
    {
        var rows = await TablePages.ReadAllAsync(tables.Scopes, TableFilter.Equal("PartitionKey", Partition), cancellationToken);
        return rows.Select(ToScope).ToList();
    }

    public async Task<string?> TryAddAsync(Scope scope, CancellationToken cancellationToken)
    {
        var entity = new TableEntity(Partition, scope.Name.ToLowerInvariant())
        {
            ["Name"] = scope.Name,
            ["DisplayName"] = scope.DisplayName,
            ["Description"] = scope.Description,
            ["BuiltIn"] = scope.BuiltIn,
        };
        try
        {
            return await tables.Scopes.AddAsync(entity, cancellationToken);
        }
        catch (TableConflictException)
        {
            return null;
        }
    }

    static Scope ToScope(TableEntity row) =>
        new(row.GetString("Name")!, row.GetString("DisplayName") ?? "", row.GetString("Description") ?? "", row.GetBoolean("BuiltIn") ?? false)
        {
            Version = row.ETag,
        };
}
