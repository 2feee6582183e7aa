using System.Net;
using ServerlessCreds.Adapters.Storage;
using ServerlessCreds.Adapters.Tables;
using ServerlessCreds.Host.Tests.Api;
using ServerlessCreds.Host.Tests.SecretEmails;
using ServerlessCreds.Testing.Azurite;
using ServerlessCreds.Testing.Faults;

namespace ServerlessCreds.Host.Tests.Faults;

/// <summary>Queue storage (and table storage) through fault proxies in front of a real Azurite; each test has its own host and storage.</summary>
public sealed class QueueFaultTests : IAsyncLifetime
{
    AzuriteInstance azurite = null!;
    FaultProxy tables = null!;
    FaultProxy queues = null!;
    ServerlessCredsApplication app = null!;
    SecretEmailFlow flow = null!;

    public async Task InitializeAsync()
    {
        azurite = await AzuriteInstance.StartNewAsync();
        tables = await FaultProxy.StartAsync(azurite.TableServiceUri);
        queues = await FaultProxy.StartAsync(azurite.QueueServiceUri);
        app = new ServerlessCredsApplication
        {
            SharedAzurite = azurite,
            Settings = new Dictionary<string, string?> { ["AzureWebJobsStorage"] = azurite.ConnectionStringThrough(tables, queues) },
        };
        await app.InitializeAsync();
        await app.ReadyAsync();
        flow = new SecretEmailFlow(app);
    }

    public async Task DisposeAsync()
    {
        await app.DisposeAsync();
        await tables.DisposeAsync();
        await queues.DisposeAsync();
        await azurite.DisposeAsync();
    }

    [Fact]
    public async Task A_request_whose_enqueue_is_refused_answers_503_and_leaves_its_delivery_failed_not_queued()
    {
        using var client = flow.Admin();
        var created = await flow.CreateApplicationAsync(client);
        // For example 403 while the app's role assignment on the queue is still propagating.
        var refused = queues.FailWhen(r => r.Method == "POST" && r.Path.EndsWith("/secret-emails/messages", StringComparison.Ordinal), 403, times: 1);

        var response = await client.PostJsonAsync($"{flow.Applications}/{created.GetProperty("id").GetString()}/secret-emails", new { recipientEmail = "refused@customer.example" });

        var problem = await response.ExpectAsync(HttpStatusCode.ServiceUnavailable);
        Assert.Equal("The queue storage is unavailable. Try again shortly.", problem.GetProperty("detail").GetString());
        Assert.Equal(1, refused.Hits);
        var rows = await new TableClient(StorageAccount.Parse(azurite.ConnectionString), "Deliveries").ReadAllAsync();
        Assert.Equal(["Failed"], rows.Where(r => r.PartitionKey == flow.BusinessUnit).Select(r => r.GetString("Status")));
        Assert.Equal(0, await flow.QueuedAsync());
    }
}
