using ServerlessCreds.Applications;
using ServerlessCreds.Common;
using ServerlessCreds.Credentials;

namespace ServerlessCreds.Adapters.Tables;

/// <summary>
/// One partition per business unit holds its applications (row key <c>a:{id}</c>) and their secrets' metadata
/// (<c>s:{applicationId}:{secretId}</c>): listing is a single-partition range read, and an application changes together
/// with its secrets in one entity-group transaction.
/// </summary>
public sealed class TableApplicationStore(StorageTables tables) : IApplicationStore
{
    const string ApplicationPrefix = "a:";
    const int MaxTransactionSize = 100;

    TableClient Table => tables.Applications;

    public async Task<Page<Application>> ListAsync(string businessUnit, PageRequest page, CancellationToken cancellationToken)
    {
        var rows = await TablePages.ReadPartitionPageAsync(Table, businessUnit, TableFilter.StartsWith("RowKey", ApplicationPrefix), page, cancellationToken);
        return new Page<Application>(rows.Items.Select(ToApplication).ToList(), rows.ContinuationToken);
    }

    public async Task<Application?> FindAsync(string businessUnit, string id, CancellationToken cancellationToken)
    {
        var row = await Table.GetAsync(businessUnit, ApplicationPrefix + id, cancellationToken);
        return row is null ? null : ToApplication(row);
    }

    public async Task<Application> AddAsync(Application application, ClientSecret firstSecret, CancellationToken cancellationToken)
    {
        try
        {
            var etags = await Table.SubmitTransactionAsync(
            [
                new(TableTransactionActionType.Add, ToEntity(application)),
                new(TableTransactionActionType.Add, ToEntity(firstSecret)),
            ], cancellationToken);
            return application with { Version = etags[0]! };
        }
        catch (TableConflictException)
        {
            // Ids are fresh, so a conflict means a retry found our own write whose response was lost.
            return await FindAsync(application.BusinessUnit, application.Id, cancellationToken) is { } stored && stored.ClientId == application.ClientId
                ? stored
                : throw new InvalidOperationException($"Application id {application.Id} collided with another application.");
        }
    }

    public async Task<Application> UpdateAsync(Application application, CancellationToken cancellationToken)
    {
        try
        {
            var etag = await Table.UpdateAsync(ToEntity(application), application.Version, TableUpdateMode.Replace, cancellationToken);
            return application with { Version = etag };
        }
        catch (Exception e) when (e is TablePreconditionFailedException or TableNotFoundException)
        {
            throw DomainException.VersionMismatch();
        }
    }

    public async Task DeleteAsync(Application application, IReadOnlyList<ClientSecret> secrets, CancellationToken cancellationToken)
    {
        var secretRows = secrets
            .Select(s => new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(s.BusinessUnit, SecretRowKey(s.ApplicationId, s.SecretId))))
            .ToList();

        // Secret rows beyond one transaction go first; the last transaction removes the application itself, conditionally.
        while (secretRows.Count >= MaxTransactionSize)
        {
            await Table.SubmitTransactionAsync(secretRows[..(MaxTransactionSize - 1)], cancellationToken);
            secretRows.RemoveRange(0, MaxTransactionSize - 1);
        }

        try
        {
            await Table.SubmitTransactionAsync(
                [new(TableTransactionActionType.Delete, new TableEntity(application.BusinessUnit, ApplicationPrefix + application.Id), application.Version), .. secretRows],
                cancellationToken);
        }
        catch (Exception e) when (e is TablePreconditionFailedException or TableNotFoundException)
        {
            throw DomainException.VersionMismatch();
        }
    }

    public Task<IReadOnlyList<ClientSecret>> ListSecretsAsync(Application application, CancellationToken cancellationToken) =>
        ListSecretsAsync(application.BusinessUnit, application.Id, cancellationToken);

    public async Task<(Application Application, IReadOnlyList<ClientSecret> Secrets)?> FindWithSecretsAsync(string businessUnit, string id, CancellationToken cancellationToken)
    {
        // The secrets' row keys derive from the application id alone, so both reads go out together.
        var application = FindAsync(businessUnit, id, cancellationToken);
        var secrets = ListSecretsAsync(businessUnit, id, cancellationToken);
        await Task.WhenAll(application, secrets);
        return await application is { } found ? (found, await secrets) : null;
    }

    public async Task<Page<ClientSecret>?> FindSecretPageAsync(string businessUnit, string applicationId, PageRequest page, CancellationToken cancellationToken)
    {
        var application = FindAsync(businessUnit, applicationId, cancellationToken);
        var rows = TablePages.ReadPartitionPageAsync(Table, businessUnit, TableFilter.StartsWith("RowKey", SecretRowKey(applicationId, "")), page, cancellationToken);
        await Task.WhenAll(application, rows);
        if (await application is null)
        {
            return null;
        }

        var secrets = await rows;
        return new Page<ClientSecret>([.. secrets.Items.Select(ToSecret)], secrets.ContinuationToken);
    }

    async Task<IReadOnlyList<ClientSecret>> ListSecretsAsync(string businessUnit, string applicationId, CancellationToken cancellationToken)
    {
        var filter = TableFilter.And(
            TableFilter.Equal("PartitionKey", businessUnit),
            TableFilter.StartsWith("RowKey", SecretRowKey(applicationId, "")));
        var rows = await TablePages.ReadAllAsync(Table, filter, cancellationToken);
        return rows.Select(ToSecret).OrderBy(s => s.CreatedAt).ToList();
    }

    public async Task<Application> AddSecretAsync(Application application, ClientSecret secret, CancellationToken cancellationToken)
    {
        try
        {
            var etags = await Table.SubmitTransactionAsync(
            [
                new(TableTransactionActionType.UpdateReplace, ToEntity(application), application.Version),
                new(TableTransactionActionType.Add, ToEntity(secret)),
            ], cancellationToken);
            return application with { Version = etags[0]! };
        }
        catch (Exception e) when (e is TablePreconditionFailedException or TableNotFoundException)
        {
            // A retry after a lost response fails its precondition on our own write; the secret row tells.
            if (await Table.GetAsync(secret.BusinessUnit, SecretRowKey(secret.ApplicationId, secret.SecretId), cancellationToken) is not null)
            {
                return await FindAsync(application.BusinessUnit, application.Id, cancellationToken) ?? throw DomainException.VersionMismatch();
            }

            throw DomainException.VersionMismatch();
        }
    }

    public async Task UpdateSecretAsync(ClientSecret secret, CancellationToken cancellationToken)
    {
        try
        {
            await Table.UpdateAsync(ToEntity(secret), "*", TableUpdateMode.Replace, cancellationToken);
        }
        catch (TableNotFoundException)
        {
            throw DomainException.VersionMismatch();
        }
    }

    public async Task MarkSecretRetiredAsync(ClientSecret secret, CancellationToken cancellationToken)
    {
        try
        {
            // A merge of the flag alone: a revocation written since the purge listed the secret must survive.
            await Table.UpdateAsync(
                new TableEntity(secret.BusinessUnit, SecretRowKey(secret.ApplicationId, secret.SecretId)) { ["Retired"] = true },
                "*", TableUpdateMode.Merge, cancellationToken);
        }
        catch (TableNotFoundException)
        {
            // The application was deleted since, its secrets' rows with it, and their vault versions were disabled first.
        }
    }

    public async Task<IReadOnlyList<ClientSecret>> ListExpiredUnretiredSecretsAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        // Across partitions, but only the purge runs it, every few minutes.
        var filter = TableFilter.And(
            TableFilter.StartsWith("RowKey", "s:"),
            TableFilter.LessThanOrEqual("ExpiresAt", now),
            TableFilter.Equal("Revoked", false),
            TableFilter.Equal("Retired", false));
        return (await TablePages.ReadAllAsync(Table, filter, cancellationToken)).Select(ToSecret).ToList();
    }

    static string SecretRowKey(string applicationId, string secretId) => $"s:{applicationId}:{secretId}";

    static TableEntity ToEntity(Application application) =>
        new(application.BusinessUnit, ApplicationPrefix + application.Id)
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
            Id = row.RowKey[ApplicationPrefix.Length..],
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

    static TableEntity ToEntity(ClientSecret secret) =>
        new(secret.BusinessUnit, SecretRowKey(secret.ApplicationId, secret.SecretId))
        {
            ["Hint"] = secret.Hint,
            ["CreatedAt"] = secret.CreatedAt,
            ["ExpiresAt"] = secret.ExpiresAt,
            ["RevokedAt"] = secret.RevokedAt,
            // Stored flags, because a table filter cannot test a missing property.
            ["Revoked"] = secret.RevokedAt is not null,
            ["Retired"] = secret.Retired,
            ["VaultName"] = secret.Vault.Name,
            ["VaultVersion"] = secret.Vault.Version,
        };

    static ClientSecret ToSecret(TableEntity row)
    {
        var ids = row.RowKey.Split(':');
        return new ClientSecret
        {
            SecretId = ids[2],
            ApplicationId = ids[1],
            BusinessUnit = row.PartitionKey,
            Hint = row.GetString("Hint")!,
            CreatedAt = row.GetDateTimeOffset("CreatedAt")!.Value,
            ExpiresAt = row.GetDateTimeOffset("ExpiresAt")!.Value,
            RevokedAt = row.GetDateTimeOffset("RevokedAt"),
            Retired = row.GetBoolean("Retired") ?? false,
            Vault = new VaultSecretVersion(row.GetString("VaultName")!, row.GetString("VaultVersion")!),
        };
    }
}
