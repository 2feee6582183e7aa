using ServerlessCreds.Adapters.Storage;
using ServerlessCreds.Adapters.Tables;
using ServerlessCreds.Testing.Azurite;

namespace ServerlessCreds.Adapters.Tests.Tables;

[Collection(TablesOnAzurite.Name)]
public sealed class TableTransactionTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task A_transaction_applies_every_action_type_and_returns_the_new_etags()
    {
        var table = await NewTableAsync();
        var toReplace = await table.AddAsync(new TableEntity("p", "replace") { ["A"] = "a" });
        var toMerge = await table.AddAsync(new TableEntity("p", "merge") { ["A"] = "a" });
        await table.AddAsync(new TableEntity("p", "delete"));
        await table.AddAsync(new TableEntity("p", "upsert-merge") { ["A"] = "a" });

        var etags = await table.SubmitTransactionAsync(
        [
            new(TableTransactionActionType.Add, new TableEntity("p", "add") { ["Name"] = "O'Brien 🔑" }),
            new(TableTransactionActionType.UpdateReplace, new TableEntity("p", "replace") { ["B"] = "b" }, toReplace),
            new(TableTransactionActionType.UpdateMerge, new TableEntity("p", "merge") { ["B"] = "b" }, toMerge),
            new(TableTransactionActionType.Delete, new TableEntity("p", "delete")),
            new(TableTransactionActionType.UpsertReplace, new TableEntity("p", "upsert-new") { ["Count"] = 7L }),
            new(TableTransactionActionType.UpsertMerge, new TableEntity("p", "upsert-merge") { ["B"] = "b" }),
        ]);

        Assert.Equal(6, etags.Count);
        Assert.Null(etags[3]);
        var added = (await table.GetAsync("p", "add"))!;
        Assert.Equal("O'Brien 🔑", added.GetString("Name"));
        Assert.Equal(etags[0], added.ETag);
        Assert.Equal(["B"], (await table.GetAsync("p", "replace"))!.Properties.Keys);
        Assert.Equal(etags[1], (await table.GetAsync("p", "replace"))!.ETag);
        Assert.Equal(["A", "B"], (await table.GetAsync("p", "merge"))!.Properties.Keys.Order());
        Assert.Null(await table.GetAsync("p", "delete"));
        Assert.Equal(7L, (await table.GetAsync("p", "upsert-new"))!.GetInt64("Count"));
        Assert.Equal(["A", "B"], (await table.GetAsync("p", "upsert-merge"))!.Properties.Keys.Order());
    }

    [Fact]
    public async Task A_failing_action_aborts_the_whole_transaction_and_reports_its_index()
    {
        var table = await NewTableAsync();
        await table.AddAsync(new TableEntity("p", "existing") { ["Version"] = 1 });

        var error = await Assert.ThrowsAsync<TableConflictException>(() => table.SubmitTransactionAsync(
        [
            new(TableTransactionActionType.Add, new TableEntity("p", "new1")),
            new(TableTransactionActionType.UpsertReplace, new TableEntity("p", "new2")),
            new(TableTransactionActionType.Add, new TableEntity("p", "existing") { ["Version"] = 2 }),
        ]));

        Assert.Equal(409, error.Status);
        Assert.Equal(2, error.ActionIndex);
        Assert.Equal("EntityAlreadyExists", error.ErrorCode);
        var remaining = await table.QueryAsync();
        var only = Assert.Single(remaining.Items);
        Assert.Equal("existing", only.RowKey);
        Assert.Equal(1, only.GetInt32("Version"));
    }

    [Fact]
    public async Task A_stale_etag_in_a_transaction_throws_precondition_failed_and_writes_nothing()
    {
        var table = await NewTableAsync();
        var staleEtag = await table.AddAsync(new TableEntity("p", "r") { ["Version"] = 1 });
        await table.UpdateAsync(new TableEntity("p", "r") { ["Version"] = 2 }, staleEtag, TableUpdateMode.Replace);

        var error = await Assert.ThrowsAsync<TablePreconditionFailedException>(() => table.SubmitTransactionAsync(
        [
            new(TableTransactionActionType.Add, new TableEntity("p", "other")),
            new(TableTransactionActionType.UpdateReplace, new TableEntity("p", "r") { ["Version"] = 3 }, staleEtag),
        ]));

        Assert.Equal(1, error.ActionIndex);
        Assert.Null(await table.GetAsync("p", "other"));
        Assert.Equal(2, (await table.GetAsync("p", "r"))!.GetInt32("Version"));
    }

    [Fact]
    public async Task Deleting_a_missing_entity_in_a_transaction_throws_not_found_with_its_index()
    {
        var table = await NewTableAsync();

        var error = await Assert.ThrowsAsync<TableNotFoundException>(() => table.SubmitTransactionAsync(
        [
            new(TableTransactionActionType.Add, new TableEntity("p", "a")),
            new(TableTransactionActionType.Delete, new TableEntity("p", "missing")),
        ]));

        Assert.Equal(1, error.ActionIndex);
        Assert.Null(await table.GetAsync("p", "a"));
    }

    [Fact]
    public async Task Transactions_spanning_partitions_or_over_100_actions_are_rejected_before_sending()
    {
        var table = new TableClient(StorageAccount.Parse(azurite.ConnectionString), StorageNames.UniqueTable());

        await Assert.ThrowsAsync<ArgumentException>(() => table.SubmitTransactionAsync(
        [
            new(TableTransactionActionType.Add, new TableEntity("p1", "a")),
            new(TableTransactionActionType.Add, new TableEntity("p2", "a")),
        ]));
        await Assert.ThrowsAsync<ArgumentException>(() => table.SubmitTransactionAsync(
            Enumerable.Range(0, 101).Select(i => new TableTransactionAction(TableTransactionActionType.Add, new TableEntity("p", $"r{i}"))).ToList()));
    }

    [Fact]
    public async Task A_transaction_of_100_inserts_succeeds()
    {
        var table = await NewTableAsync();

        var etags = await table.SubmitTransactionAsync(
            Enumerable.Range(0, 100).Select(i => new TableTransactionAction(TableTransactionActionType.Add, new TableEntity("p", $"r{i:D3}") { ["I"] = i })).ToList());

        Assert.Equal(100, etags.Count);
        Assert.All(etags, etag => Assert.False(string.IsNullOrEmpty(etag)));
        var page = await table.QueryAsync(top: 1000);
        Assert.Equal(100, page.Items.Count);
    }

    private async Task<TableClient> NewTableAsync()
    {
        var table = new TableClient(StorageAccount.Parse(azurite.ConnectionString), StorageNames.UniqueTable());
        await table.CreateIfNotExistsAsync();
        return table;
    }
}
