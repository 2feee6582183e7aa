using ServerlessCreds.Applications;

namespace ServerlessCreds.Adapters.Tables;

public sealed class TableClientIdRegistry(StorageTables tables) : IClientIdRegistry
{
    public async Task<bool> TryReserveAsync(string clientId, string businessUnit, string applicationId, CancellationToken cancellationToken)
    {
        var entity = new TableEntity(clientId, "")
        {
            ["BusinessUnit"] = businessUnit,
            ["ApplicationId"] = applicationId,
        };
        try
        {
            await tables.ClientIds.AddAsync(entity, cancellationToken);
            return true;
        }
        catch (TableConflictException)
        {
            return false;
        }
    }
}
