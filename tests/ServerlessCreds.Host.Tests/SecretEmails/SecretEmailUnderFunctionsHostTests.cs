using System.Net;
using System.Text;
using System.Text.Json;
using ServerlessCreds.Adapters.Queues;
using ServerlessCreds.Adapters.Storage;

namespace ServerlessCreds.Host.Tests.SecretEmails;

/// <summary>The real SendSecretEmail function driven the way the Functions host drives a custom handler.</summary>
public sealed class SecretEmailUnderFunctionsHostTests : IAsyncLifetime
{
    readonly ServerlessCredsApplication app = new() { Settings = new Dictionary<string, string?> { ["FUNCTIONS_CUSTOMHANDLER_PORT"] = "7071" } };

    public async Task InitializeAsync()
    {
        await app.InitializeAsync();
        await app.ReadyAsync();
    }

    public Task DisposeAsync() => app.DisposeAsync().AsTask();

    [Fact]
    public async Task The_host_invoking_SendSecretEmail_for_a_queued_request_sends_one_email_even_when_it_redelivers()
    {
        var flow = new SecretEmailFlow(app);
        using var client = flow.Admin();
        var created = await flow.CreateApplicationAsync(client);
        var delivery = await flow.RequestAsync(client, created.GetProperty("id").GetString()!, new { recipientEmail = "host@customer.example" });

        // Under the host no listener runs here: take the message off the queue as the host would.
        var queue = new QueueClient(StorageAccount.Parse(app.Azurite.ConnectionString), SecretEmailRequests.QueueName);
        var message = Assert.Single(await queue.ReceiveAsync(32, TimeSpan.FromSeconds(30)));
        var payload = FunctionsHostPayload.Queue("SendSecretEmail", message.Text!, message.MessageId, message.DequeueCount);
        using var host = app.CreateClient();

        var first = await host.PostAsync("/SendSecretEmail", new StringContent(payload, Encoding.UTF8, "application/json"));
        var redelivered = await host.PostAsync("/SendSecretEmail", new StringContent(
            FunctionsHostPayload.Queue("SendSecretEmail", message.Text!, message.MessageId, 2), Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, redelivered.StatusCode);
        using var body = JsonDocument.Parse(await first.Content.ReadAsStringAsync());
        Assert.Equal(JsonValueKind.Object, body.RootElement.GetProperty("Outputs").ValueKind);
        Assert.Single(flow.EmailsTo("host@customer.example"));
        Assert.Equal("sent", await SecretEmailFlow.StatusAsync(client, delivery));
    }
}
