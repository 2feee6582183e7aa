using ServerlessCreds.Adapters.Queues;
using ServerlessCreds.Common;
using ServerlessCreds.Testing.Azurite;
using ServerlessCreds.Testing.Faults;

namespace ServerlessCreds.Adapters.Tests.Faults;

[Collection(FaultsOnAzurite.Name)]
public sealed class FaultProxyQueueTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Send_receive_and_delete_pass_through_the_proxy_with_valid_signatures()
    {
        await using var proxy = await FaultProxy.StartAsync(azurite.Azurite.QueueServiceUri);
        var (queue, direct) = await NewQueueAsync(proxy);

        var receipt = await queue.SendAsync("hello <xml> & 🔑");
        var received = Assert.Single(await queue.ReceiveAsync(32, TimeSpan.FromSeconds(30)));
        await queue.DeleteAsync(received.MessageId, received.PopReceipt);

        Assert.Equal(receipt.MessageId, received.MessageId);
        Assert.Equal("hello <xml> & 🔑", received.Text);
        Assert.Empty(await direct.PeekAsync(32));
        Assert.Equal(
            [("PUT", 201), ("POST", 201), ("GET", 200), ("DELETE", 204)],
            proxy.Log.Select(exchange => (exchange.Method, exchange.Status!.Value)));
    }

    [Fact]
    public async Task Sends_failing_fewer_times_than_the_retries_succeed_and_enqueue_once()
    {
        await using var proxy = await FaultProxy.StartAsync(azurite.Azurite.QueueServiceUri);
        var (queue, direct) = await NewQueueAsync(proxy);
        var rule = proxy.FailWhen(request => request.Method == "POST", 500, times: 2);

        await queue.SendAsync("once");

        Assert.Equal(2, rule.Hits);
        Assert.Equal("once", Assert.Single(await direct.PeekAsync(32)).Text);
    }

    [Fact]
    public async Task Sends_failing_through_every_retry_throw_dependency_unavailable()
    {
        await using var proxy = await FaultProxy.StartAsync(azurite.Azurite.QueueServiceUri);
        var (queue, direct) = await NewQueueAsync(proxy);
        proxy.FailWhen(request => request.Method == "POST", 503);

        var error = await Assert.ThrowsAsync<DependencyUnavailableException>(() => queue.SendAsync("never"));

        Assert.Equal("queue storage", error.Dependency);
        var cause = Assert.IsType<QueueRequestException>(error.InnerException);
        Assert.Equal((503, FaultProxy.InjectedErrorCode), (cause.Status, cause.ErrorCode));
        Assert.Empty(await direct.PeekAsync(32));
    }

    private async Task<(QueueClient Proxied, QueueClient Direct)> NewQueueAsync(FaultProxy proxy)
    {
        var name = StorageNames.UniqueQueue();
        var proxied = new QueueClient(FaultsOnAzurite.Account(azurite.Azurite, queues: proxy), name, FaultsOnAzurite.FastRetries);
        await proxied.CreateIfNotExistsAsync();
        return (proxied, new QueueClient(FaultsOnAzurite.Account(azurite.Azurite), name));
    }
}
