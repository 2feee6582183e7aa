using ServerlessCreds.Common;

namespace ServerlessCreds.Adapters.Tables;

public sealed class TableStorageProbe(StorageTables tables) : IHealthProbe
{
    public string Name => "tableStorage";

    public async Task<bool> IsReachableAsync(CancellationToken cancellationToken)
    {
        await tables.Scopes.QueryAsync(null, 1, null, null, cancellationToken);
        return true;
    }
}
