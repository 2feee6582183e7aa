using ServerlessCreds.Adapters.Storage;
using ServerlessCreds.Adapters.Tables;
using ServerlessCreds.Applications;
using ServerlessCreds.Common;
using ServerlessCreds.Credentials;
using ServerlessCreds.Testing.Azurite;

namespace ServerlessCreds.Adapters.Tests.Tables;

[Collection(TablesOnAzurite.Name)]
public sealed class TableApplicationStoreTests(AzuriteFixture azurite)
{
    private static readonly DateTimeOffset Now = new(2024, 5, 6, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Retiring_a_stale_copy_keeps_a_revocation_stored_since_the_purge_listed_it()
    {
        var store = await NewStoreAsync();
        var (application, listedByPurge) = await AddExpiredSecretAsync(store);
        var revokedAt = Now.AddMinutes(1);
        await store.UpdateSecretAsync(listedByPurge with { RevokedAt = revokedAt }, default);

        await store.MarkSecretRetiredAsync(listedByPurge, default);

        var stored = Assert.Single(await store.ListSecretsAsync(application, default));
        Assert.Equal(revokedAt, stored.RevokedAt);
        Assert.True(stored.Retired);
    }

    [Fact]
    public async Task A_retired_secret_is_no_longer_listed_for_the_purge()
    {
        var store = await NewStoreAsync();
        var (_, secret) = await AddExpiredSecretAsync(store);
        Assert.Single(await store.ListExpiredUnretiredSecretsAsync(Now, default));

        await store.MarkSecretRetiredAsync(secret, default);

        Assert.Empty(await store.ListExpiredUnretiredSecretsAsync(Now, default));
    }

    [Fact]
    public async Task Retiring_a_secret_of_a_deleted_application_succeeds_without_recreating_its_row()
    {
        var store = await NewStoreAsync();
        var (application, listedByPurge) = await AddExpiredSecretAsync(store);
        await store.DeleteAsync(application, [listedByPurge], default);

        await store.MarkSecretRetiredAsync(listedByPurge, default);

        Assert.Empty(await store.ListSecretsAsync(application, default));
    }

    [Fact]
    public async Task Updating_a_secret_of_a_deleted_application_is_a_version_mismatch_and_recreates_nothing()
    {
        var store = await NewStoreAsync();
        var (application, secret) = await AddExpiredSecretAsync(store);
        await store.DeleteAsync(application, [secret], default);

        var error = await Assert.ThrowsAsync<DomainException>(() => store.UpdateSecretAsync(secret with { RevokedAt = Now }, default));

        Assert.Equal(DomainErrorKind.VersionMismatch, error.Kind);
        Assert.Empty(await store.ListSecretsAsync(application, default));
    }

    private async Task<TableApplicationStore> NewStoreAsync()
    {
        var account = StorageAccount.Parse(azurite.ConnectionString);
        var tables = new StorageTables(name => new TableClient(account, StorageNames.UniqueTable(name)));
        await tables.CreateIfNotExistsAsync(default);
        return new TableApplicationStore(tables);
    }

    private static async Task<(Application Application, ClientSecret Secret)> AddExpiredSecretAsync(TableApplicationStore store)
    {
        var id = Guid.NewGuid().ToString("N");
        var application = new Application
        {
            Id = id,
            BusinessUnit = "finance",
            Kind = ApplicationKind.Internal,
            VendorName = "Contoso",
            ApplicationName = "Orders API",
            Scopes = ["orders.read"],
            CallbackUrls = [],
            ClientId = $"client-{id}",
            Enabled = true,
            CreatedAt = Now.AddDays(-2),
            CreatedBy = "admin@example.com",
            UpdatedAt = Now.AddDays(-2),
        };
        var secret = new ClientSecret
        {
            SecretId = "s1",
            ApplicationId = id,
            BusinessUnit = application.BusinessUnit,
            Hint = "abcd",
            CreatedAt = Now.AddDays(-2),
            ExpiresAt = Now.AddDays(-1),
            Vault = new VaultSecretVersion($"finance-{id}-s1", "v1"),
        };
        return (await store.AddAsync(application, secret, default), secret);
    }
}
