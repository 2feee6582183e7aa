using System.Diagnostics;
using ServerlessCreds.Adapters.Tables;
using ServerlessCreds.Common;
using ServerlessCreds.Testing.Azurite;
using ServerlessCreds.Testing.Faults;

namespace ServerlessCreds.Adapters.Tests.Faults;

[Collection(FaultsOnAzurite.Name)]
public sealed class FaultProxyTableTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Insert_get_query_and_batch_pass_through_the_proxy_with_valid_signatures()
    {
        await using var proxy = await FaultProxy.StartAsync(azurite.Azurite.TableServiceUri);
        var (table, direct) = await NewTableAsync(proxy);

        var etag = await table.AddAsync(new TableEntity("p", "O'Brien key") { ["Name"] = "ünïcödé 🔑" });
        var etags = await table.SubmitTransactionAsync(
        [
            new(TableTransactionActionType.Add, new TableEntity("p", "batch1")),
            new(TableTransactionActionType.UpsertReplace, new TableEntity("p", "batch2") { ["Count"] = 2L }),
        ]);
        var got = await table.GetAsync("p", "O'Brien key");
        var page = await table.QueryAsync(filter: "RowKey ge 'batch'");

        Assert.Equal(etag, got!.ETag);
        Assert.Equal("ünïcödé 🔑", got.GetString("Name"));
        Assert.Equal(["batch1", "batch2"], page.Items.Select(entity => entity.RowKey));
        Assert.Equal(etags[1], (await direct.GetAsync("p", "batch2"))!.ETag);
        Assert.Equal(2L, (await direct.GetAsync("p", "batch2"))!.GetInt64("Count"));
        Assert.All(proxy.Log, exchange => Assert.True(exchange.Forwarded));
        Assert.Equal(
            [("POST", 204), ("POST", 202), ("GET", 200), ("GET", 200)],
            proxy.Log.Skip(1).Select(exchange => (exchange.Method, exchange.Status!.Value)));
        Assert.EndsWith("/$batch", proxy.Log[2].PathAndQuery, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_batch_failing_with_503_through_every_retry_throws_dependency_unavailable_and_writes_nothing()
    {
        await using var proxy = await FaultProxy.StartAsync(azurite.Azurite.TableServiceUri);
        var (table, direct) = await NewTableAsync(proxy);
        var rule = proxy.FailWhen(request => request.Method == "POST" && request.Path.EndsWith("/$batch", StringComparison.Ordinal), 503);

        var error = await Assert.ThrowsAsync<DependencyUnavailableException>(() => table.SubmitTransactionAsync(
        [
            new(TableTransactionActionType.Add, new TableEntity("p", "r1")),
            new(TableTransactionActionType.Add, new TableEntity("p", "r2")),
        ]));

        Assert.Equal("table storage", error.Dependency);
        var cause = Assert.IsType<TableRequestException>(error.InnerException);
        Assert.Equal(503, cause.Status);
        Assert.Equal(FaultProxy.InjectedErrorCode, cause.ErrorCode);
        Assert.Equal(4, rule.Hits); // the first attempt and three retries
        Assert.All(proxy.Log.Skip(1), exchange => Assert.Equal((503, false), (exchange.Status, exchange.Forwarded)));
        Assert.Empty((await direct.QueryAsync()).Items);
    }

    [Fact]
    public async Task A_lost_insert_response_leaves_the_entity_written_although_the_client_saw_an_outage()
    {
        await using var proxy = await FaultProxy.StartAsync(azurite.Azurite.TableServiceUri);
        var (table, direct) = await NewTableAsync(proxy);
        var rule = proxy.FailAfterForwardingWhen(request => request.Method == "POST" && request.Path.EndsWith("/" + table.Name, StringComparison.Ordinal), 503);

        var error = await Assert.ThrowsAsync<DependencyUnavailableException>(() => table.AddAsync(new TableEntity("p", "r") { ["Version"] = 1 }));

        Assert.Equal(503, Assert.IsType<TableRequestException>(error.InnerException).Status);
        Assert.Equal(4, rule.Hits);
        Assert.Equal(1, (await direct.GetAsync("p", "r"))!.GetInt32("Version"));
    }

    [Fact]
    public async Task A_single_lost_insert_response_makes_the_retry_report_a_conflict_with_its_own_write()
    {
        await using var proxy = await FaultProxy.StartAsync(azurite.Azurite.TableServiceUri);
        var (table, direct) = await NewTableAsync(proxy);
        proxy.FailAfterForwardingWhen(request => request.Method == "POST" && request.Path.EndsWith("/" + table.Name, StringComparison.Ordinal), 503, times: 1);

        // Inserts are not idempotent: the retry finds the entity the lost attempt wrote.
        var error = await Assert.ThrowsAsync<TableConflictException>(() => table.AddAsync(new TableEntity("p", "r")));

        Assert.Equal("EntityAlreadyExists", error.ErrorCode);
        Assert.NotNull(await direct.GetAsync("p", "r"));
        Assert.Equal([(503, true), (409, true)], proxy.Log.Skip(1).Select(exchange => (exchange.Status!.Value, exchange.Forwarded)));
    }

    [Fact]
    public async Task Dropped_connections_throw_dependency_unavailable_until_the_rules_are_cleared()
    {
        await using var proxy = await FaultProxy.StartAsync(azurite.Azurite.TableServiceUri);
        var (table, _) = await NewTableAsync(proxy);
        await table.AddAsync(new TableEntity("p", "r"));
        var rule = proxy.DropWhen(request => request.Method == "GET");

        var error = await Assert.ThrowsAsync<DependencyUnavailableException>(() => table.GetAsync("p", "r"));
        proxy.ClearRules();
        var got = await table.GetAsync("p", "r");

        Assert.Equal("table storage", error.Dependency);
        Assert.NotNull(error.InnerException);
        Assert.Equal(4, rule.Hits);
        Assert.Equal(4, proxy.Log.Count(exchange => exchange.Status is null));
        Assert.Equal("r", got!.RowKey);
    }

    [Fact]
    public async Task A_delayed_request_succeeds_after_the_delay()
    {
        await using var proxy = await FaultProxy.StartAsync(azurite.Azurite.TableServiceUri);
        var (table, _) = await NewTableAsync(proxy);
        await table.AddAsync(new TableEntity("p", "r"));
        var rule = proxy.DelayWhen(request => request.Method == "GET", TimeSpan.FromMilliseconds(300), times: 1);

        var stopwatch = Stopwatch.StartNew();
        var got = await table.GetAsync("p", "r");

        Assert.True(stopwatch.Elapsed >= TimeSpan.FromMilliseconds(290), $"took {stopwatch.Elapsed}");
        Assert.NotNull(got);
        Assert.Equal(1, rule.Hits);
    }

    [Fact]
    public async Task A_held_request_waits_for_its_release_while_others_pass()
    {
        await using var proxy = await FaultProxy.StartAsync(azurite.Azurite.TableServiceUri);
        var (table, _) = await NewTableAsync(proxy);
        await table.AddAsync(new TableEntity("p", "r"));
        var release = new TaskCompletionSource();
        var rule = proxy.HoldWhen(request => request.Method == "GET", release.Task, times: 1);

        var held = table.GetAsync("p", "r");
        await table.AddAsync(new TableEntity("p", "r2"));
        var heldBeforeRelease = held.IsCompleted;
        release.SetResult();
        var got = await held;

        Assert.False(heldBeforeRelease);
        Assert.Equal(1, rule.Hits);
        Assert.Equal("r", got!.RowKey);
        Assert.Equal(["POST", "GET"], proxy.Log.Skip(2).Select(exchange => exchange.Method));
    }

    [Fact]
    public async Task A_delay_beyond_the_network_timeout_throws_dependency_unavailable()
    {
        await using var proxy = await FaultProxy.StartAsync(azurite.Azurite.TableServiceUri);
        var options = FaultsOnAzurite.FastRetries;
        options.Retry.MaxRetries = 1;
        options.Retry.NetworkTimeout = TimeSpan.FromMilliseconds(200);
        var table = new TableClient(FaultsOnAzurite.Account(azurite.Azurite, tables: proxy), StorageNames.UniqueTable(), options);
        var rule = proxy.DelayWhen(_ => true, TimeSpan.FromSeconds(10));

        var error = await Assert.ThrowsAsync<DependencyUnavailableException>(() => table.GetAsync("p", "r"));

        // Azure.Core gathers the timed-out attempts into one AggregateException.
        var attempts = Assert.IsType<AggregateException>(error.InnerException);
        Assert.All(attempts.InnerExceptions, attempt => Assert.IsAssignableFrom<OperationCanceledException>(attempt));
        Assert.Equal(2, rule.Hits);
    }

    /// <summary>A new table reached through <paramref name="proxy"/>, and a client for the same table straight on Azurite.</summary>
    private async Task<(TableClient Proxied, TableClient Direct)> NewTableAsync(FaultProxy proxy)
    {
        var name = StorageNames.UniqueTable();
        var proxied = new TableClient(FaultsOnAzurite.Account(azurite.Azurite, tables: proxy), name, FaultsOnAzurite.FastRetries);
        await proxied.CreateIfNotExistsAsync();
        return (proxied, new TableClient(FaultsOnAzurite.Account(azurite.Azurite), name));
    }
}
