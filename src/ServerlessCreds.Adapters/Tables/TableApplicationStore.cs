using System.Buffers.Text;
using System.Text;
using ServerlessCreds.Applications;
using ServerlessCreds.Common;

namespace ServerlessCreds.Adapters.Tables;

/// <summary>Applications partitioned by business unit, keyed by their generated id, so listing one unit is a single-partition range read.</summary>
public sealed class TableApplicationStore(StorageTables tables) : IApplicationStore
{
    public async Task<Page<Application>> ListAsync(string businessUnit, PageRequest page, CancellationToken cancellationToken)
    {
        var tableToken = page.ContinuationToken is null ? null : UnwrapContinuation(businessUnit, page.ContinuationToken);
        TablePage rows;
        try
        {
            rows = await tables.Applications.QueryAsync(TableFilter.Equal("PartitionKey", businessUnit), page.Size, tableToken, null, cancellationToken);
        }
        catch (FormatException)
        {
            throw InvalidContinuation();
        }

        var next = rows.ContinuationToken is null ? null : WrapContinuation(businessUnit, rows.ContinuationToken);
        return new Page<Application>(rows.Items.Select(ToApplication).ToList(), next);
    }

    public async Task<Application?> FindAsync(string businessUnit, string id, CancellationToken cancellationToken)
    {
        var row = await tables.Applications.GetAsync(businessUnit, id, cancellationToken);
        return row is null ? null : ToApplication(row);
    }

    public async Task<Application> AddAsync(Application application, CancellationToken cancellationToken)
    {
        var etag = await tables.Applications.AddAsync(ToEntity(application), cancellationToken);
        return application with { Version = etag };
    }

    public async Task<Application> UpdateAsync(Application application, CancellationToken cancellationToken)
    {
        try
        {
            var etag = await tables.Applications.UpdateAsync(ToEntity(application), application.Version, TableUpdateMode.Replace, cancellationToken);
            return application with { Version = etag };
        }
        catch (Exception e) when (e is TablePreconditionFailedException or TableNotFoundException)
        {
            throw DomainException.VersionMismatch();
        }
    }

    public async Task DeleteAsync(Application application, CancellationToken cancellationToken)
    {
        try
        {
            await tables.Applications.DeleteAsync(application.BusinessUnit, application.Id, application.Version, cancellationToken);
        }
        catch (Exception e) when (e is TablePreconditionFailedException or TableNotFoundException)
        {
            throw DomainException.VersionMismatch();
        }
    }

    static TableEntity ToEntity(Application application) =>
        new(application.BusinessUnit, application.Id)
        {
            ["Kind"] = application.Kind.ToString(),
            ["ExternalApplicationId"] = application.ExternalApplicationId,
            ["VendorName"] = application.VendorName,
            ["ApplicationName"] = application.ApplicationName,
            ["Scopes"] = StoredJson.Write(application.Scopes),
            ["CallbackUrls"] = StoredJson.Write(application.CallbackUrls),
            ["ClientId"] = application.ClientId,
            ["Enabled"] = application.Enabled,
            ["CreatedAt"] = application.CreatedAt,
            ["CreatedBy"] = application.CreatedBy,
            ["UpdatedAt"] = application.UpdatedAt,
        };

    static Application ToApplication(TableEntity row) =>
        new()
        {
            Id = row.RowKey,
            BusinessUnit = row.PartitionKey,
            Kind = Enum.Parse<ApplicationKind>(row.GetString("Kind")!),
            ExternalApplicationId = row.GetString("ExternalApplicationId"),
            VendorName = row.GetString("VendorName")!,
            ApplicationName = row.GetString("ApplicationName")!,
            Scopes = StoredJson.ReadList(row.GetString("Scopes")),
            CallbackUrls = StoredJson.ReadList(row.GetString("CallbackUrls")),
            ClientId = row.GetString("ClientId")!,
            Enabled = row.GetBoolean("Enabled") ?? true,
            CreatedAt = row.GetDateTimeOffset("CreatedAt")!.Value,
            CreatedBy = row.GetString("CreatedBy")!,
            UpdatedAt = row.GetDateTimeOffset("UpdatedAt")!.Value,
            Version = row.ETag!,
        };

    // The page token names its business unit so a token from one unit's list is refused by another's.
    static string WrapContinuation(string businessUnit, string tableToken) =>
        Base64Url.EncodeToString(Encoding.UTF8.GetBytes($"{businessUnit}\n{tableToken}"));

    static string UnwrapContinuation(string businessUnit, string token)
    {
        string text;
        try
        {
            text = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(token));
        }
        catch (FormatException)
        {
            throw InvalidContinuation();
        }

        var separator = text.IndexOf('\n', StringComparison.Ordinal);
        if (separator < 0 || text[..separator] != businessUnit)
        {
            throw InvalidContinuation();
        }

        return text[(separator + 1)..];
    }

    static DomainException InvalidContinuation() =>
        DomainException.Invalid("continuationToken", "Is not a token this list returned.");
}
