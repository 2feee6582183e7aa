using Azure.Identity;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using ServerlessCreds.Adapters.Storage;
using ServerlessCreds.Adapters.Tests.Storage;
using ServerlessCreds.Adapters.Tables;
using ServerlessCreds.Common;
using ServerlessCreds.Testing.Azurite;

namespace ServerlessCreds.Adapters.Tests.Tables;

// Stops its own Azurite, so it must not share the collection's instance.
public sealed class TableStorageOutageTests
{
    private static readonly StorageClientOptions FastRetries = new() { Retry = { MaxRetries = 1, Delay = TimeSpan.FromMilliseconds(10) } };

    [Fact]
    public async Task Storage_down_throws_dependency_unavailable_and_the_client_recovers_when_it_returns()
    {
        await using var azurite = await AzuriteInstance.StartNewAsync();
        var table = new TableClient(StorageAccount.Parse(azurite.ConnectionString), StorageNames.UniqueTable(), FastRetries);
        await table.CreateIfNotExistsAsync();
        await table.AddAsync(new TableEntity("p", "r"));

        await azurite.StopAsync();
        var error = await Assert.ThrowsAsync<DependencyUnavailableException>(() => table.GetAsync("p", "r"));
        await Assert.ThrowsAsync<DependencyUnavailableException>(() => table.AddAsync(new TableEntity("p", "r2")));

        await azurite.StartAsync();
        await table.CreateIfNotExistsAsync(); // in-memory data did not survive the restart
        await table.AddAsync(new TableEntity("p", "r"));

        Assert.Equal("table storage", error.Dependency);
        Assert.NotNull(error.InnerException);
        Assert.NotNull(await table.GetAsync("p", "r"));
    }

    [Fact]
    public async Task A_server_error_that_persists_through_retries_throws_dependency_unavailable_with_the_error_code()
    {
        var attempts = 0;
        await using var app = WebApplication.CreateSlimBuilder().Build();
        app.Urls.Add("http://127.0.0.1:0");
        app.Run(context =>
        {
            Interlocked.Increment(ref attempts);
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            context.Response.Headers["x-ms-error-code"] = "ServerBusy";
            return Task.CompletedTask;
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        var account = StorageAccount.Parse($"AccountName=devstoreaccount1;AccountKey={AzuriteInstance.AccountKey};TableEndpoint={address}/devstoreaccount1");
        var table = new TableClient(account, "apps", new StorageClientOptions { Retry = { MaxRetries = 2, Delay = TimeSpan.FromMilliseconds(10) } });

        var error = await Assert.ThrowsAsync<DependencyUnavailableException>(() => table.AddAsync(new TableEntity("p", "r")));

        await app.StopAsync();
        Assert.Equal(3, attempts);
        var cause = Assert.IsType<TableRequestException>(error.InnerException);
        Assert.Equal(503, cause.Status);
        Assert.Equal("ServerBusy", cause.ErrorCode);
    }

    [Fact]
    public async Task A_caller_cancellation_is_not_reported_as_an_outage()
    {
        await using var azurite = await AzuriteInstance.StartNewAsync();
        var table = new TableClient(StorageAccount.Parse(azurite.ConnectionString), StorageNames.UniqueTable(), FastRetries);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => table.GetAsync("p", "r", cancelled.Token));
    }

    [Fact]
    public async Task A_managed_identity_without_a_token_throws_dependency_unavailable()
    {
        var account = new StorageAccount(new Uri("https://stexample.table.core.windows.net"), new Uri("https://stexample.queue.core.windows.net"), new NoTokenCredential());
        var table = new TableClient(account, "apps", FastRetries);

        var error = await Assert.ThrowsAsync<DependencyUnavailableException>(() => table.GetAsync("p", "r"));

        Assert.Equal("table storage", error.Dependency);
        Assert.IsType<AuthenticationFailedException>(error.InnerException);
    }
}
