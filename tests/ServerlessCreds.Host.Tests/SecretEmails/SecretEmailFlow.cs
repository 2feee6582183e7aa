using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using ServerlessCreds.Adapters.Queues;
using ServerlessCreds.Adapters.Storage;
using ServerlessCreds.Callers;
using ServerlessCreds.Host.Tests.Api;
using ServerlessCreds.Testing.CommunicationEmail;

namespace ServerlessCreds.Host.Tests.SecretEmails;

/// <summary>Steps of the secret-email flow through the real API, shared by the flow's tests.</summary>
sealed partial class SecretEmailFlow(ServerlessCredsApplication app)
{
    /// <summary>A new business unit unless one is given.</summary>
    public string BusinessUnit { get; init; } = $"bu{Guid.NewGuid():N}"[..20];

    public string Applications => $"/api/business-units/{BusinessUnit}/applications";

    public HttpClient Admin() =>
        app.CreateClient(BusinessUnit, Roles.View, Roles.Create, Roles.Edit, Roles.Delete, Roles.SendSecretEmail);

    public async Task<JsonElement> CreateApplicationAsync(HttpClient client, string name = "Billing sync") =>
        await (await client.PostJsonAsync(Applications, new { kind = "internal", vendorName = "Contoso", applicationName = name, scopes = new[] { "Admin" } }))
            .ExpectAsync(HttpStatusCode.Created);

    /// <summary>Requests an email and returns the delivery's URL.</summary>
    public async Task<string> RequestAsync(HttpClient client, string applicationId, object body)
    {
        var response = await client.PostJsonAsync($"{Applications}/{applicationId}/secret-emails", body);
        var accepted = await response.ExpectAsync(HttpStatusCode.Accepted);
        Assert.Equal("queued", accepted.GetProperty("status").GetString());
        return response.Headers.Location!.OriginalString;
    }

    public static async Task<string> StatusAsync(HttpClient client, string deliveryUrl) =>
        (await (await client.GetAsync(deliveryUrl)).ExpectAsync(HttpStatusCode.OK)).GetProperty("status").GetString()!;

    public static async Task WaitForStatusAsync(HttpClient client, string deliveryUrl, string status) =>
        await Eventually.TrueAsync(async () => await StatusAsync(client, deliveryUrl) == status, TimeSpan.FromSeconds(30), $"the delivery is {status}");

    /// <summary>
    /// Waits until the secret-email queue holds no message, hidden ones (being handled, or waiting for redelivery) included:
    /// every message was settled and deleted, so nothing can be sent again and counts of sends are final.
    /// </summary>
    public Task WaitUntilQueueSettledAsync() =>
        Eventually.TrueAsync(async () => await QueuedAsync() == 0, TimeSpan.FromSeconds(60), "the secret-email queue is empty");

    /// <summary>Messages on the secret-email queue, hidden ones (being handled, or deferred) included.</summary>
    public Task<int> QueuedAsync() => QueueContents.CountAsync(StorageAccount.Parse(app.Azurite.ConnectionString), SecretEmailRequests.QueueName);

    /// <summary>Messages on the secret-email poison queue (none until something is poisoned).</summary>
    public Task<int> PoisonedAsync() => QueueContents.CountAsync(StorageAccount.Parse(app.Azurite.ConnectionString), $"{SecretEmailRequests.QueueName}-poison");

    /// <summary>Requests an email, waits until it is sent, and returns the delivery's URL and the link token the email carries.</summary>
    public async Task<(string Delivery, string Token)> SendLinkAsync(HttpClient client, string applicationId, string recipientEmail, string? passphrase = null)
    {
        var delivery = await RequestAsync(client, applicationId, new { recipientEmail, passphrase });
        await WaitForStatusAsync(client, delivery, "sent");
        return (delivery, TokenIn(Assert.Single(EmailsTo(recipientEmail))));
    }

    public IReadOnlyList<SentEmail> EmailsTo(string address) => app.Email.SentMessages.Where(m => m.To.Any(t => t.Address == address)).ToList();

    /// <summary>Every send the email server saw for a delivery, failed ones included: its Operation-Id is the delivery id.</summary>
    public IReadOnlyList<SendAttempt> SendAttemptsFor(string deliveryUrl)
    {
        var operationId = Guid.ParseExact(deliveryUrl.Split('/')[^1], "N");
        return [.. app.Email.SendAttempts.Where(a => Guid.TryParse(a.OperationId, out var id) && id == operationId)];
    }

    /// <summary>The one-time link token in an email (the only place it exists outside the recipient's hands).</summary>
    public static string TokenIn(SentEmail email)
    {
        var match = LinkPattern().Match(email.PlainText!);
        Assert.True(match.Success, "The email holds a one-time link.");
        Assert.Contains(match.Value, email.Html, StringComparison.Ordinal);
        return match.Groups["token"].Value;
    }

    [GeneratedRegex(@"https://creds\.example\.test/s/(?<token>[A-Za-z0-9_-]{43})")]
    private static partial Regex LinkPattern();
}
