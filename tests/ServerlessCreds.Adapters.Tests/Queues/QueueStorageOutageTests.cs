using Azure.Identity;
using ServerlessCreds.Adapters.Queues;
using ServerlessCreds.Adapters.Storage;
using ServerlessCreds.Adapters.Tests.Storage;
using ServerlessCreds.Common;
using ServerlessCreds.Testing.Azurite;

namespace ServerlessCreds.Adapters.Tests.Queues;

// Stops its own Azurite, so it must not share the collection's instance.
public sealed class QueueStorageOutageTests
{
    [Fact]
    public async Task Storage_down_throws_dependency_unavailable_and_the_client_recovers_when_it_returns()
    {
        await using var azurite = await AzuriteInstance.StartNewAsync();
        var options = new StorageClientOptions { Retry = { MaxRetries = 1, Delay = TimeSpan.FromMilliseconds(10) } };
        var queue = new QueueClient(StorageAccount.Parse(azurite.ConnectionString), StorageNames.UniqueQueue(), options);
        await queue.CreateIfNotExistsAsync();

        await azurite.StopAsync();
        var error = await Assert.ThrowsAsync<DependencyUnavailableException>(() => queue.SendAsync("job"));

        await azurite.StartAsync();
        await queue.CreateIfNotExistsAsync(); // in-memory data did not survive the restart
        await queue.SendAsync("job");

        Assert.Equal("queue storage", error.Dependency);
        Assert.Equal("job", Assert.Single(await queue.PeekAsync(1)).Text);
    }

    [Fact]
    public async Task A_managed_identity_without_a_token_throws_dependency_unavailable()
    {
        var account = new StorageAccount(new Uri("https://stexample.table.core.windows.net"), new Uri("https://stexample.queue.core.windows.net"), new NoTokenCredential());
        var queue = new QueueClient(account, "jobs");

        var error = await Assert.ThrowsAsync<DependencyUnavailableException>(() => queue.SendAsync("job"));

        Assert.Equal("queue storage", error.Dependency);
        Assert.IsType<AuthenticationFailedException>(error.InnerException);
    }
}
