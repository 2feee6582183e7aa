using System.Net;
using System.Net.Http.Headers;
using ServerlessCreds.Adapters.Queues;
using ServerlessCreds.Adapters.Storage;
using ServerlessCreds.Callers;
using ServerlessCreds.Host.Tests.Api;
using ServerlessCreds.Host.Tests.SecretEmails;
using ServerlessCreds.Testing.Azurite;
using ServerlessCreds.Testing.Callers;
using ServerlessCreds.Testing.CommunicationEmail;

namespace ServerlessCreds.Host.Tests.Faults;

/// <summary>
/// The real host process killed (SIGKILL) while the ACS test server holds its send open, then started again on the same
/// storage: the queue message reappears and the email goes out exactly once. The process runs in Development with the local
/// vault (it could not trust the Key Vault test server's certificate) and ACS through Email:ConnectionString.
/// </summary>
public sealed class ProcessCrashTests : IAsyncLifetime
{
    readonly string folder = Directory.CreateTempSubdirectory("serverlesscreds-crash-").FullName;
    readonly string signingKey = TestTokens.NewSigningKey();
    readonly string businessUnit = $"bu{Guid.NewGuid():N}"[..20];
    AzuriteInstance azurite = null!;
    CommunicationEmailTestServer email = null!;

    public async Task InitializeAsync()
    {
        azurite = await AzuriteInstance.StartNewAsync();
        email = await CommunicationEmailTestServer.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await email.DisposeAsync();
        await azurite.DisposeAsync();
        Directory.Delete(folder, recursive: true);
    }

    [Theory]
    [InlineData(true)] // ACS accepted the held send, the process never heard: on restart it asks ACS and does not send again
    [InlineData(false)] // the held send never got through: on restart it sends
    public async Task A_host_killed_mid_send_and_restarted_sends_the_email_exactly_once(bool acceptedBeforeTheCrash)
    {
        using var http = new HttpClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer",
            TestTokens.Create(signingKey, roles: [Roles.View, Roles.Create, Roles.SendSecretEmail, "Platform.Admin"], businessUnit: businessUnit, name: "Test User"));
        var release = new TaskCompletionSource();
        var held = email.HoldNext(release.Task);
        string clientSecret, delivery;

        await using (var first = await HostProcess.StartAsync(Environment(), http, "/api/scopes"))
        {
            var applications = new Uri(first.BaseAddress, $"api/business-units/{businessUnit}/applications");
            var created = await (await http.PostJsonAsync(applications.ToString(), new { kind = "internal", vendorName = "Contoso", applicationName = "Crash", scopes = new[] { "Admin" } }))
                .ExpectAsync(HttpStatusCode.Created);
            clientSecret = created.GetProperty("clientSecret").GetString()!;
            var requested = await http.PostJsonAsync($"{applications}/{created.GetProperty("id").GetString()}/secret-emails", new { recipientEmail = "crash@customer.example" });
            await requested.ExpectAsync(HttpStatusCode.Accepted);
            delivery = requested.Headers.Location!.OriginalString;

            await held.WaitAsync(TimeSpan.FromSeconds(30));
            await first.KillAsync();
        }

        if (!acceptedBeforeTheCrash)
        {
            email.DropNextConnections(1);
        }

        release.SetResult();
        await Eventually.TrueAsync(() => email.SendAttempts.Count == 1, TimeSpan.FromSeconds(10), "the held send is settled");

        await using var second = await HostProcess.StartAsync(Environment(), http, "/api/scopes");
        var status = new Uri(second.BaseAddress, delivery).ToString();
        await SecretEmailFlow.WaitForStatusAsync(http, status, "sent");

        var sent = Assert.Single(email.SentMessages);
        var attempts = email.SendAttempts.Select(a => a.Status).ToList();
        // Accepted before the crash: one POST in all, since the restarted host found the delivery "sending" and ACS said the
        // operation was accepted (WasAcceptedAsync). Not accepted: that check said no, so it sent, with the same Operation-Id.
        Assert.Equal(acceptedBeforeTheCrash ? [202] : [0, 202], attempts);
        Assert.Single(email.SendAttempts.Select(a => a.OperationId).Distinct());

        var revealed = await (await http.PostJsonAsync(new Uri(second.BaseAddress, $"api/one-time-secrets/{SecretEmailFlow.TokenIn(sent)}/reveal").ToString(), "{}"))
            .ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(clientSecret, revealed.GetProperty("clientSecret").GetString());
        // Counted with hidden messages: once the queue is empty, no message is left to send again.
        var account = StorageAccount.Parse(azurite.ConnectionString);
        await Eventually.TrueAsync(async () => await QueueContents.CountAsync(account, SecretEmailRequests.QueueName) == 0, TimeSpan.FromSeconds(10), "the message is deleted");
        Assert.Single(email.SentMessages);
        Assert.Equal(attempts.Count, email.SendAttempts.Count);
    }

    Dictionary<string, string> Environment()
    {
        var settings = TestTokens.Settings(signingKey).ToDictionary(s => s.Key.Replace(":", "__", StringComparison.Ordinal), s => s.Value!);
        settings["ASPNETCORE_ENVIRONMENT"] = "Development";
        settings["AzureWebJobsStorage"] = azurite.ConnectionString;
        settings["LocalDevelopment__VaultPath"] = Path.Combine(folder, "vault");
        settings["Email__ConnectionString"] = email.ConnectionString;
        settings["Email__SenderAddress"] = "DoNotReply@mail.serverlesscreds.test";
        settings["PublicBaseUrl"] = ServerlessCredsApplication.PublicBaseUrl;
        // A killed host's message reappears after the visibility timeout.
        settings["Queues__VisibilityTimeout"] = "00:00:02";
        settings["Queues__RetryDelay"] = "00:00:00.200";
        settings["Queues__MaxPollingInterval"] = "00:00:00.200";
        settings["Logging__LogLevel__Default"] = "Warning";
        return settings;
    }
}
