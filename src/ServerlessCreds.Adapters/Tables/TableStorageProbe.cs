using ServerlessCreds.Common;

namespace ServerlessCreds.Adapters.Tables;

public sealed class TableStorageProbe(StorageTables tables) : IHealthProbe
{
    public string Name => "tableStorage";

    public async Task<bool> IsReachableAsync(CancellationToken cancellationToken)
    {
        try
        {
            await tables.Scopes.QueryAsync(null, 1, null, null, cancellationToken);
        }
        catch (TableRequestException)
        {
            // Any answer from the service (even "no such table") proves it is reachable.
        }

        return true;
    }
}
