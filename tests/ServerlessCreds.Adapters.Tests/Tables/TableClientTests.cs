using ServerlessCreds.Adapters.Storage;
using ServerlessCreds.Adapters.Tables;
using ServerlessCreds.Testing.Azurite;

namespace ServerlessCreds.Adapters.Tests.Tables;

[Collection(TablesOnAzurite.Name)]
public sealed class TableClientTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Insert_then_get_returns_the_entity_with_etag_and_timestamp()
    {
        var table = await NewTableAsync();
        var entity = new TableEntity("app1", "k1") { ["Name"] = "Orders API", ["Enabled"] = true };

        var etag = await table.AddAsync(entity);
        var stored = await table.GetAsync("app1", "k1");

        Assert.NotNull(stored);
        Assert.Equal("app1", stored.PartitionKey);
        Assert.Equal("k1", stored.RowKey);
        Assert.Equal("Orders API", stored.GetString("Name"));
        Assert.True(stored.GetBoolean("Enabled"));
        Assert.Equal(etag, stored.ETag);
        Assert.StartsWith("W/\"", etag, StringComparison.Ordinal);
        Assert.NotNull(stored.Timestamp);
        Assert.InRange(stored.Timestamp.Value, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(5));
    }

    [Fact]
    public async Task Get_of_a_missing_entity_returns_null()
    {
        var table = await NewTableAsync();

        Assert.Null(await table.GetAsync("nobody", "nothing"));
    }

    [Fact]
    public async Task Create_if_not_exists_is_idempotent()
    {
        var table = await NewTableAsync();
        await table.AddAsync(new TableEntity("p", "r"));

        await table.CreateIfNotExistsAsync();

        Assert.NotNull(await table.GetAsync("p", "r"));
    }

    [Fact]
    public async Task Insert_into_a_missing_table_throws_not_found_with_the_error_code()
    {
        var table = new TableClient(Account(), StorageNames.UniqueTable("missing"));

        var error = await Assert.ThrowsAsync<TableNotFoundException>(() => table.AddAsync(new TableEntity("p", "r")));

        Assert.Equal(404, error.Status);
        Assert.Equal("TableNotFound", error.ErrorCode);
    }

    [Fact]
    public async Task Insert_of_an_existing_key_throws_conflict_without_entity_values_in_the_message()
    {
        var table = await NewTableAsync();
        await table.AddAsync(new TableEntity("p", "r") { ["Secret"] = "first" });

        var error = await Assert.ThrowsAsync<TableConflictException>(() => table.AddAsync(new TableEntity("p", "r") { ["Secret"] = "second-value" }));

        Assert.Equal(409, error.Status);
        Assert.Equal("EntityAlreadyExists", error.ErrorCode);
        Assert.Contains("409", error.Message, StringComparison.Ordinal);
        Assert.Contains("EntityAlreadyExists", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("second-value", error.Message, StringComparison.Ordinal);
        Assert.Equal("first", (await table.GetAsync("p", "r"))!.GetString("Secret"));
    }

    [Theory]
    [InlineData("O'Brien", "it''s")]
    [InlineData("with space", "plus+and%percent")]
    [InlineData("emoji 🔑", "ünïcödé & = ; , ( ) ! * ~")]
    [InlineData("'", "''")]
    [InlineData("a%2Fb", "%27")]
    public async Task Keys_with_characters_that_need_escaping_round_trip(string partitionKey, string rowKey)
    {
        var table = await NewTableAsync();
        var etag = await table.AddAsync(new TableEntity(partitionKey, rowKey) { ["Value"] = 1 });

        var stored = await table.GetAsync(partitionKey, rowKey);
        Assert.NotNull(stored);
        Assert.Equal(partitionKey, stored.PartitionKey);
        Assert.Equal(rowKey, stored.RowKey);

        var page = await table.QueryAsync(TableFilter.And(TableFilter.Equal("PartitionKey", partitionKey), TableFilter.Equal("RowKey", rowKey)));
        Assert.Equal(rowKey, Assert.Single(page.Items).RowKey);

        var newEtag = await table.UpdateAsync(new TableEntity(partitionKey, rowKey) { ["Value"] = 2 }, etag, TableUpdateMode.Replace);
        Assert.Equal(2, (await table.GetAsync(partitionKey, rowKey))!.GetInt32("Value"));

        await table.DeleteAsync(partitionKey, rowKey, newEtag);
        Assert.Null(await table.GetAsync(partitionKey, rowKey));
    }

    [Fact]
    public async Task All_supported_types_round_trip_with_their_types()
    {
        var table = await NewTableAsync();
        var when = new DateTimeOffset(2024, 5, 1, 10, 0, 0, TimeSpan.FromHours(2)).AddTicks(1234567);
        var id = Guid.NewGuid();
        byte[] bytes = [0, 1, 2, 254, 255];
        await table.AddAsync(new TableEntity("types", "all")
        {
            ["Text"] = "hello",
            ["EmptyText"] = "",
            ["Flag"] = false,
            ["Small"] = int.MinValue,
            ["Large"] = long.MaxValue,
            ["LargeLooksSmall"] = 5L,
            ["Fraction"] = 4.5,
            ["WholeDouble"] = 3.0,
            ["NotANumber"] = double.NaN,
            ["Infinite"] = double.PositiveInfinity,
            ["At"] = when,
            ["Id"] = id,
            ["Bytes"] = bytes,
            ["Missing"] = null,
        });

        var stored = (await table.GetAsync("types", "all"))!;

        Assert.Equal("hello", stored.GetString("Text"));
        Assert.Equal("", stored.GetString("EmptyText"));
        Assert.False(stored.GetBoolean("Flag"));
        Assert.Equal(int.MinValue, stored.GetInt32("Small"));
        Assert.Equal(long.MaxValue, stored.GetInt64("Large"));
        Assert.Equal(5L, stored.GetInt64("LargeLooksSmall"));
        Assert.Equal(4.5, stored.GetDouble("Fraction"));
        Assert.Equal(3.0, stored.GetDouble("WholeDouble"));
        Assert.True(double.IsNaN(stored.GetDouble("NotANumber")!.Value));
        Assert.Equal(double.PositiveInfinity, stored.GetDouble("Infinite"));
        Assert.Equal(when, stored.GetDateTimeOffset("At"));
        Assert.Equal(TimeSpan.Zero, stored.GetDateTimeOffset("At")!.Value.Offset);
        Assert.Equal(id, stored.GetGuid("Id"));
        Assert.Equal(bytes, stored.GetBinary("Bytes"));
        Assert.False(stored.Properties.ContainsKey("Missing"));
        Assert.Throws<InvalidOperationException>(() => stored.GetInt32("Large"));
    }

    [Fact]
    public async Task Query_pages_with_top_and_continuation_until_all_matches_are_read()
    {
        var table = await NewTableAsync();
        for (var i = 0; i < 7; i++)
        {
            await table.AddAsync(new TableEntity("app1", $"k{i}") { ["Index"] = i });
        }

        await table.AddAsync(new TableEntity("app2", "k0") { ["Index"] = 100 });

        var filter = TableFilter.Equal("PartitionKey", "app1");
        var rowKeys = new List<string>();
        var pages = 0;
        string? token = null;
        do
        {
            var page = await table.QueryAsync(filter, top: 3, continuationToken: token);
            Assert.True(page.Items.Count <= 3);
            rowKeys.AddRange(page.Items.Select(item => item.RowKey));
            token = page.ContinuationToken;
            pages++;
        }
        while (token is not null);

        Assert.Equal(Enumerable.Range(0, 7).Select(i => $"k{i}"), rowKeys);
        Assert.True(pages >= 3);
    }

    [Fact]
    public async Task Query_with_select_returns_only_the_selected_properties_and_etags()
    {
        var table = await NewTableAsync();
        await table.AddAsync(new TableEntity("p", "r") { ["Name"] = "n", ["Other"] = 42 });

        var page = await table.QueryAsync(select: ["RowKey", "Name"]);

        var item = Assert.Single(page.Items);
        Assert.Equal("r", item.RowKey);
        Assert.Equal("n", item.GetString("Name"));
        Assert.False(item.Properties.ContainsKey("Other"));
        Assert.NotNull(item.ETag);
        Assert.Null(page.ContinuationToken);
    }

    [Fact]
    public async Task Query_filters_on_typed_properties_and_key_ranges()
    {
        var table = await NewTableAsync();
        var now = DateTimeOffset.UtcNow;
        await table.AddAsync(new TableEntity("p", "scope:read") { ["Expires"] = now.AddHours(-1), ["Count"] = 5L });
        await table.AddAsync(new TableEntity("p", "scope:write") { ["Expires"] = now.AddHours(1), ["Count"] = 50L });
        await table.AddAsync(new TableEntity("p", "scopf") { ["Expires"] = now.AddHours(1), ["Count"] = 500L });

        var prefixed = await table.QueryAsync(TableFilter.StartsWith("RowKey", "scope:"));
        var live = await table.QueryAsync(TableFilter.And(TableFilter.StartsWith("RowKey", "scope:"), TableFilter.GreaterThan("Expires", now)));
        var counted = await table.QueryAsync(TableFilter.Create($"Count ge {50L} and RowKey ne {"scopf"}"));

        Assert.Equal(["scope:read", "scope:write"], prefixed.Items.Select(item => item.RowKey));
        Assert.Equal("scope:write", Assert.Single(live.Items).RowKey);
        Assert.Equal("scope:write", Assert.Single(counted.Items).RowKey);
    }

    [Fact]
    public async Task Filter_values_with_quotes_cannot_widen_the_query()
    {
        var table = await NewTableAsync();
        await table.AddAsync(new TableEntity("p", "a"));
        await table.AddAsync(new TableEntity("p", "b"));

        var page = await table.QueryAsync(TableFilter.Equal("RowKey", "x' or RowKey ne 'x"));

        Assert.Empty(page.Items);
    }

    [Fact]
    public async Task A_malformed_continuation_token_is_rejected_before_any_request()
    {
        var table = new TableClient(Account(), StorageNames.UniqueTable());

        var error = await Assert.ThrowsAsync<ArgumentException>(() => table.QueryAsync(continuationToken: "not a token!"));

        Assert.Equal("continuationToken", error.ParamName);
    }

    [Fact]
    public async Task Replace_drops_omitted_properties_and_merge_keeps_them()
    {
        var table = await NewTableAsync();
        var etag = await table.AddAsync(new TableEntity("p", "r") { ["A"] = "a", ["B"] = "b" });

        etag = await table.UpdateAsync(new TableEntity("p", "r") { ["C"] = "c" }, etag, TableUpdateMode.Merge);
        var merged = (await table.GetAsync("p", "r"))!;
        await table.UpdateAsync(new TableEntity("p", "r") { ["D"] = "d" }, etag, TableUpdateMode.Replace);
        var replaced = (await table.GetAsync("p", "r"))!;

        Assert.Equal(["A", "B", "C"], merged.Properties.Keys.Order());
        Assert.Equal(["D"], replaced.Properties.Keys);
    }

    [Theory]
    [InlineData(TableUpdateMode.Replace)]
    [InlineData(TableUpdateMode.Merge)]
    public async Task Update_with_a_stale_etag_throws_precondition_failed_and_keeps_the_newer_value(TableUpdateMode mode)
    {
        var table = await NewTableAsync();
        var staleEtag = await table.AddAsync(new TableEntity("p", "r") { ["Version"] = 1 });
        var currentEtag = await table.UpdateAsync(new TableEntity("p", "r") { ["Version"] = 2 }, staleEtag, mode);

        var error = await Assert.ThrowsAsync<TablePreconditionFailedException>(
            () => table.UpdateAsync(new TableEntity("p", "r") { ["Version"] = 3 }, staleEtag, mode));

        Assert.Equal(412, error.Status);
        Assert.Equal("UpdateConditionNotSatisfied", error.ErrorCode);
        var stored = (await table.GetAsync("p", "r"))!;
        Assert.Equal(2, stored.GetInt32("Version"));
        Assert.Equal(currentEtag, stored.ETag);
        Assert.NotEqual(staleEtag, currentEtag);
    }

    [Fact]
    public async Task Update_of_a_missing_entity_throws_not_found()
    {
        var table = await NewTableAsync();

        var error = await Assert.ThrowsAsync<TableNotFoundException>(() => table.UpdateAsync(new TableEntity("p", "r"), "*", TableUpdateMode.Replace));

        Assert.Equal(404, error.Status);
    }

    [Fact]
    public async Task Upsert_inserts_then_replaces_or_merges_without_an_etag()
    {
        var table = await NewTableAsync();

        var inserted = await table.UpsertAsync(new TableEntity("p", "r") { ["A"] = "a" }, TableUpdateMode.Replace);
        var merged = await table.UpsertAsync(new TableEntity("p", "r") { ["B"] = "b" }, TableUpdateMode.Merge);
        var afterMerge = (await table.GetAsync("p", "r"))!;
        await table.UpsertAsync(new TableEntity("p", "r") { ["C"] = "c" }, TableUpdateMode.Replace);
        var afterReplace = (await table.GetAsync("p", "r"))!;

        Assert.NotEqual(inserted, merged);
        Assert.Equal(merged, afterMerge.ETag);
        Assert.Equal(["A", "B"], afterMerge.Properties.Keys.Order());
        Assert.Equal(["C"], afterReplace.Properties.Keys);
    }

    [Fact]
    public async Task Delete_removes_the_entity_and_a_second_delete_throws_not_found()
    {
        var table = await NewTableAsync();
        await table.AddAsync(new TableEntity("p", "r"));

        await table.DeleteAsync("p", "r");

        Assert.Null(await table.GetAsync("p", "r"));
        var error = await Assert.ThrowsAsync<TableNotFoundException>(() => table.DeleteAsync("p", "r"));
        Assert.Equal(404, error.Status);
    }

    [Fact]
    public async Task Delete_with_a_stale_etag_throws_precondition_failed_and_keeps_the_entity()
    {
        var table = await NewTableAsync();
        var staleEtag = await table.AddAsync(new TableEntity("p", "r") { ["Version"] = 1 });
        await table.UpdateAsync(new TableEntity("p", "r") { ["Version"] = 2 }, staleEtag, TableUpdateMode.Replace);

        await Assert.ThrowsAsync<TablePreconditionFailedException>(() => table.DeleteAsync("p", "r", staleEtag));

        Assert.Equal(2, (await table.GetAsync("p", "r"))!.GetInt32("Version"));
    }

    [Fact]
    public async Task A_wrong_account_key_is_rejected_as_authentication_failed()
    {
        var wrongKey = Convert.ToBase64String(new byte[64]);
        var account = StorageAccount.Parse(azurite.ConnectionString.Replace(AzuriteInstance.AccountKey, wrongKey, StringComparison.Ordinal));
        var table = new TableClient(account, StorageNames.UniqueTable());

        var error = await Assert.ThrowsAsync<TableRequestException>(() => table.CreateIfNotExistsAsync());

        Assert.Equal(403, error.Status);
        Assert.NotNull(error.ErrorCode); // Azure says AuthenticationFailed; Azurite's table service says AuthorizationFailure
    }

    private StorageAccount Account() => StorageAccount.Parse(azurite.ConnectionString);

    private async Task<TableClient> NewTableAsync()
    {
        var table = new TableClient(Account(), StorageNames.UniqueTable());
        await table.CreateIfNotExistsAsync();
        return table;
    }
}
