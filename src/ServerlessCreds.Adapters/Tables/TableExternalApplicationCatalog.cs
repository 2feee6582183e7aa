using ServerlessCreds.Common;
using ServerlessCreds.ExternalApplications;

namespace ServerlessCreds.Adapters.Tables;

public sealed class TableExternalApplicationCatalog(StorageTables tables) : IExternalApplicationCatalog
{
    const string Partition = "external";

    public async Task<Page<ExternalApplication>> ListAsync(PageRequest page, CancellationToken cancellationToken)
    {
        var rows = await TablePages.ReadPartitionPageAsync(tables.ExternalApplications, Partition, null, page, cancellationToken);
        return new Page<ExternalApplication>([.. rows.Items.Select(ToExternalApplication)], rows.ContinuationToken);
    }

    public async Task<ExternalApplication?> FindAsync(string id, CancellationToken cancellationToken)
    {
        var row = await tables.ExternalApplications.GetAsync(Partition, id, cancellationToken);
        return row is null ? null : ToExternalApplication(row);
    }

    public async Task<string> AddAsync(ExternalApplication application, CancellationToken cancellationToken)
    {
        var entity = new TableEntity(Partition, application.Id)
        {
            ["VendorName"] = application.VendorName,
            ["ApplicationName"] = application.ApplicationName,
            ["Description"] = application.Description,
            ["Scopes"] = StoredJson.Write(application.Scopes),
            ["CallbackUrls"] = StoredJson.Write(application.CallbackUrls),
        };
        return await tables.ExternalApplications.AddAsync(entity, cancellationToken);
    }

    static ExternalApplication ToExternalApplication(TableEntity row) =>
        new(
            row.RowKey,
            row.GetString("VendorName")!,
            row.GetString("ApplicationName")!,
            row.GetString("Description") ?? "",
            StoredJson.ReadList(row.GetString("Scopes")),
            StoredJson.ReadList(row.GetString("CallbackUrls")))
        {
            Version = row.ETag ?? "",
        };
}
