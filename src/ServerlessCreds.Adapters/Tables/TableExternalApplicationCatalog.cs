using ServerlessCreds.ExternalApplications;

namespace ServerlessCreds.Adapters.Tables;

public sealed class TableExternalApplicationCatalog(StorageTables tables) : IExternalApplicationCatalog
{
    const string Partition = "external";

    public async Task<IReadOnlyList<ExternalApplication>> ListAsync(CancellationToken cancellationToken)
    {
        var rows = await TablePages.ReadAllAsync(tables.ExternalApplications, TableFilter.Equal("PartitionKey", Partition), cancellationToken);
        return rows.Select(ToExternalApplication).ToList();
    }

    public async Task<ExternalApplication?> FindAsync(string id, CancellationToken cancellationToken)
    {
        var row = await tables.ExternalApplications.GetAsync(Partition, id, cancellationToken);
        return row is null ? null : ToExternalApplication(row);
    }

    public async Task AddAsync(ExternalApplication application, CancellationToken cancellationToken)
    {
        var entity = new TableEntity(Partition, application.Id)
        {
            ["VendorName"] = application.VendorName,
            ["ApplicationName"] = application.ApplicationName,
            ["Description"] = application.Description,
            ["Scopes"] = StoredJson.Write(application.Scopes),
            ["CallbackUrls"] = StoredJson.Write(application.CallbackUrls),
        };
        await tables.ExternalApplications.AddAsync(entity, cancellationToken);
    }

    static ExternalApplication ToExternalApplication(TableEntity row) =>
        new(
            row.RowKey,
            row.GetString("VendorName")!,
            row.GetString("ApplicationName")!,
            row.GetString("Description") ?? "",
            StoredJson.ReadList(row.GetString("Scopes")),
            StoredJson.ReadList(row.GetString("CallbackUrls")));
}
