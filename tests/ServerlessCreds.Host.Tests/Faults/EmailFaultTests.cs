using System.Net;
using ServerlessCreds.Host.Tests.SecretEmails;

namespace ServerlessCreds.Host.Tests.Faults;

/// <summary>The ACS test server answering 429/500/503 or closing connections; each test has its own host and email server.</summary>
public sealed class EmailFaultTests : IAsyncLifetime
{
    readonly ServerlessCredsApplication app = new();
    SecretEmailFlow flow = null!;

    public async Task InitializeAsync()
    {
        await app.InitializeAsync();
        await app.ReadyAsync();
        flow = new SecretEmailFlow(app);
    }

    public Task DisposeAsync() => app.DisposeAsync().AsTask();

    [Theory]
    [InlineData(429)] // Retry-After beyond the sender's short waits: deferred through the queue
    [InlineData(500)]
    [InlineData(503)]
    [InlineData(0)] // connections closed before any answer
    public async Task Two_failed_sends_are_retried_and_the_email_goes_out_once(int status)
    {
        using var client = flow.Admin();
        var created = await flow.CreateApplicationAsync(client);
        if (status == 0)
        {
            app.Email.DropNextConnections(2);
        }
        else
        {
            app.Email.FailNext(2, (HttpStatusCode)status, status == 429 ? TimeSpan.FromSeconds(3) : null);
        }

        var delivery = await flow.RequestAsync(client, created.GetProperty("id").GetString()!, new { recipientEmail = "retry@customer.example" });

        await SecretEmailFlow.WaitForStatusAsync(client, delivery, "sent");
        Assert.Single(flow.EmailsTo("retry@customer.example"));
        var attempts = app.Email.SendAttempts.Where(a => a.OperationId is not null
            && delivery.EndsWith(a.OperationId.Replace("-", "", StringComparison.Ordinal), StringComparison.Ordinal)).ToList();
        Assert.Equal([status, status, 202], attempts.Select(a => a.Status));
        await Task.Delay(1000);
        Assert.Equal(3, app.Email.SendAttempts.Count(a => a.OperationId == attempts[0].OperationId));
    }
}
