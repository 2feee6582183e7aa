using System.Net;
using Microsoft.Extensions.DependencyInjection;
using ServerlessCreds.Adapters.Queues;
using ServerlessCreds.Adapters.Storage;
using ServerlessCreds.Adapters.Tables;
using ServerlessCreds.Audit;
using ServerlessCreds.Deliveries;
using ServerlessCreds.Host.Functions;
using ServerlessCreds.Host.Tests.Api;
using ServerlessCreds.SecretLinks;

namespace ServerlessCreds.Host.Tests.SecretEmails;

public sealed class SecretEmailTests(ServerlessCredsApplication app) : IClassFixture<ServerlessCredsApplication>
{
    readonly SecretEmailFlow flow = new(app);

    RevealService Reveal => app.Services.GetRequiredService<RevealService>();

    [Fact]
    public async Task A_requested_email_is_sent_once_with_a_link_that_reveals_the_secret_once()
    {
        await app.ReadyAsync();
        using var client = flow.Admin();
        var created = await flow.CreateApplicationAsync(client, "Agent <desktop>");
        var delivery = await flow.RequestAsync(client, created.GetProperty("id").GetString()!, new { recipientEmail = "ana@customer.example", recipientName = "Ana" });

        await SecretEmailFlow.WaitForStatusAsync(client, delivery, "sent");

        var email = Assert.Single(flow.EmailsTo("ana@customer.example"));
        Assert.Contains("Agent <desktop>", email.PlainText, StringComparison.Ordinal);
        Assert.Contains("Agent &lt;desktop&gt;", email.Html, StringComparison.Ordinal);
        Assert.Contains("Test User", email.PlainText, StringComparison.Ordinal);
        Assert.Contains("did not expect", email.PlainText, StringComparison.Ordinal);
        var token = SecretEmailFlow.TokenIn(email);

        var first = Assert.IsType<RevealResult.Revealed>(await Reveal.RevealAsync(token, null, LinkHolder, default));
        Assert.Equal(created.GetProperty("clientSecret").GetString(), first.ClientSecret);
        Assert.Equal(created.GetProperty("clientId").GetString(), first.ClientId);
        Assert.Equal(new RevealResult.Unavailable(DeliveryStatus.Viewed), await Reveal.RevealAsync(token, null, LinkHolder, default));

        var status = await (await client.GetAsync(delivery)).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("viewed", status.GetProperty("status").GetString());
        Assert.True(status.TryGetProperty("viewedAt", out _));
        Assert.True(status.TryGetProperty("sentAt", out _));
        Assert.Equal("ana@customer.example", status.GetProperty("recipientEmail").GetString());
    }

    [Fact]
    public async Task Fifty_concurrent_reveals_of_one_link_give_exactly_one_secret()
    {
        await app.ReadyAsync();
        using var client = flow.Admin();
        var created = await flow.CreateApplicationAsync(client);
        var (_, token) = await flow.SendLinkAsync(client, created.GetProperty("id").GetString()!, "race@customer.example");

        var results = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => Task.Run(() => Reveal.RevealAsync(token, null, LinkHolder, default))));

        Assert.Single(results, r => r is RevealResult.Revealed);
        Assert.All(results.Where(r => r is not RevealResult.Revealed), r => Assert.Equal(new RevealResult.Unavailable(DeliveryStatus.Viewed), r));
    }

    [Fact]
    public async Task The_same_message_delivered_three_times_even_after_a_crash_before_sending_sends_one_email_with_one_link()
    {
        await app.ReadyAsync();
        using var client = flow.Admin();
        var created = await flow.CreateApplicationAsync(client);
        var applicationId = created.GetProperty("id").GetString()!;
        var emails = app.Services.GetRequiredService<SecretEmailService>();
        var store = app.Services.GetRequiredService<IDeliveryStore>();

        // A delivery whose send crashed after claiming it and creating the link, before the email went out.
        var queued = await emails.RequestAsync(flow.BusinessUnit, applicationId, new SecretEmailRequest("crash@customer.example", null, null, null, null), Requester, default);
        await SecretEmailFlow.WaitForStatusAsync(client, $"{flow.Applications}/{applicationId}/secret-emails/{queued!.DeliveryId}", "sent");
        Assert.Single(flow.EmailsTo("crash@customer.example"));
        var crashed = await store.AddAsync(queued with { DeliveryId = Common.Ids.New(), Status = DeliveryStatus.Sending, RecipientEmail = "crash2@customer.example" }, default);
        var key = await app.Services.GetRequiredService<ILinkKeySource>().GetKeyAsync(default);
        await store.AddLinkAsync(LinkTokens.Hash(LinkTokens.Derive(key, crashed.DeliveryId)), crashed, default);

        var message = new SecretEmailMessage(flow.BusinessUnit, applicationId, crashed.DeliveryId);
        var outcomes = new List<SendOutcome>();
        for (var attempt = 1; attempt <= 3; attempt++)
        {
            outcomes.Add(await emails.SendAsync(message, "message-1", attempt, default));
        }

        Assert.All(outcomes, o => Assert.IsType<SendOutcome.Done>(o));
        var email = Assert.Single(flow.EmailsTo("crash2@customer.example"));
        Assert.Equal(LinkTokens.Derive(key, crashed.DeliveryId), SecretEmailFlow.TokenIn(email));
        Assert.IsType<RevealResult.Revealed>(await Reveal.RevealAsync(SecretEmailFlow.TokenIn(email), null, LinkHolder, default));
    }

    [Fact]
    public async Task A_throttled_send_is_retried_and_sends_once()
    {
        await app.ReadyAsync();
        using var client = flow.Admin();
        var created = await flow.CreateApplicationAsync(client);
        app.Email.FailNext(1, HttpStatusCode.TooManyRequests, TimeSpan.FromSeconds(1));

        var delivery = await flow.RequestAsync(client, created.GetProperty("id").GetString()!, new { recipientEmail = "throttled@customer.example" });

        await SecretEmailFlow.WaitForStatusAsync(client, delivery, "sent");
        await flow.WaitUntilQueueSettledAsync();
        Assert.Single(flow.EmailsTo("throttled@customer.example"));
        Assert.Equal([429, 202], flow.SendAttemptsFor(delivery).Select(a => a.Status));
    }

    [Fact]
    public async Task A_permanently_rejected_recipient_marks_the_delivery_failed_without_retrying()
    {
        await app.ReadyAsync();
        using var client = flow.Admin();
        var created = await flow.CreateApplicationAsync(client);
        app.Email.RejectRecipient("bounce@customer.example");

        var delivery = await flow.RequestAsync(client, created.GetProperty("id").GetString()!, new { recipientEmail = "bounce@customer.example" });

        await SecretEmailFlow.WaitForStatusAsync(client, delivery, "failed");
        var body = await (await client.GetAsync(delivery)).ExpectAsync(HttpStatusCode.OK);
        Assert.False(string.IsNullOrEmpty(body.GetProperty("failureReason").GetString()));
        await flow.WaitUntilQueueSettledAsync();
        Assert.Empty(flow.EmailsTo("bounce@customer.example"));
        Assert.Equal([400], flow.SendAttemptsFor(delivery).Select(a => a.Status));
    }

    [Fact]
    public async Task Revoking_the_secret_kills_its_open_link()
    {
        await app.ReadyAsync();
        using var client = flow.Admin();
        var created = await flow.CreateApplicationAsync(client);
        var applicationId = created.GetProperty("id").GetString()!;
        var (delivery, token) = await flow.SendLinkAsync(client, applicationId, "revoked@customer.example");

        await client.DeleteAsync($"{flow.Applications}/{applicationId}/secrets/{created.GetProperty("secretId").GetString()}");

        Assert.Equal(new RevealResult.Unavailable(DeliveryStatus.Revoked), await Reveal.RevealAsync(token, null, LinkHolder, default));
        Assert.Equal("revoked", await SecretEmailFlow.StatusAsync(client, delivery));
    }

    [Fact]
    public async Task A_passphrase_is_required_counted_and_burns_the_link_after_five_wrong_tries()
    {
        await app.ReadyAsync();
        using var client = flow.Admin();
        var created = await flow.CreateApplicationAsync(client);
        var (_, token) = await flow.SendLinkAsync(client, created.GetProperty("id").GetString()!, "pass@customer.example", passphrase: "correct horse");

        Assert.IsType<RevealResult.PassphraseRequired>(await Reveal.RevealAsync(token, null, LinkHolder, default));
        for (var remaining = 4; remaining > 0; remaining--)
        {
            Assert.Equal(new RevealResult.WrongPassphrase(remaining), await Reveal.RevealAsync(token, "wrong guess", LinkHolder, default));
        }

        Assert.Equal(new RevealResult.Unavailable(DeliveryStatus.Revoked), await Reveal.RevealAsync(token, "wrong guess", LinkHolder, default));
        Assert.Equal(new RevealResult.Unavailable(DeliveryStatus.Revoked), await Reveal.RevealAsync(token, "correct horse", LinkHolder, default));
    }

    [Fact]
    public async Task The_right_passphrase_reveals()
    {
        await app.ReadyAsync();
        using var client = flow.Admin();
        var created = await flow.CreateApplicationAsync(client);
        var (_, token) = await flow.SendLinkAsync(client, created.GetProperty("id").GetString()!, "pass2@customer.example", passphrase: "correct horse");

        Assert.Equal(new RevealResult.WrongPassphrase(4), await Reveal.RevealAsync(token, "wrong guess", LinkHolder, default));
        Assert.IsType<RevealResult.Revealed>(await Reveal.RevealAsync(token, "correct horse", LinkHolder, default));
    }

    [Fact]
    public async Task Expired_links_cannot_be_revealed_and_the_purge_marks_only_them_expired()
    {
        await app.ReadyAsync();
        using var client = flow.Admin();
        var created = await flow.CreateApplicationAsync(client);
        var applicationId = created.GetProperty("id").GetString()!;
        var shortLived = await flow.RequestAsync(client, applicationId, new { recipientEmail = "short@customer.example", expiresInHours = 1 });
        var longLived = await flow.RequestAsync(client, applicationId, new { recipientEmail = "long@customer.example", expiresInHours = 168 });
        await SecretEmailFlow.WaitForStatusAsync(client, shortLived, "sent");
        await SecretEmailFlow.WaitForStatusAsync(client, longLived, "sent");
        var token = SecretEmailFlow.TokenIn(Assert.Single(flow.EmailsTo("short@customer.example")));

        app.Clock.Advance(TimeSpan.FromHours(2));
        try
        {
            Assert.Equal(new RevealResult.Unavailable(DeliveryStatus.Expired), await Reveal.RevealAsync(token, null, LinkHolder, default));
            await app.Services.GetServices<ITimerHandler>().Single(h => h.FunctionName == "PurgeExpired").RunAsync(default);

            var store = app.Services.GetRequiredService<IDeliveryStore>();
            var shortRow = await store.FindAsync(flow.BusinessUnit, applicationId, shortLived.Split('/')[^1], default);
            var longRow = await store.FindAsync(flow.BusinessUnit, applicationId, longLived.Split('/')[^1], default);
            Assert.Equal(DeliveryStatus.Expired, shortRow!.Status);
            Assert.Equal(DeliveryStatus.Sent, longRow!.Status);
        }
        finally
        {
            app.Clock.Advance(TimeSpan.FromHours(-2));
        }
    }

    [Theory]
    [InlineData("""{}""", "recipientEmail")]
    [InlineData("""{"recipientEmail":"not-an-address"}""", "recipientEmail")]
    [InlineData("""{"recipientEmail":"Ana <ana@customer.example>"}""", "recipientEmail")]
    [InlineData("""{"recipientEmail":"ana@customer.example","expiresInHours":0}""", "expiresInHours")]
    [InlineData("""{"recipientEmail":"ana@customer.example","expiresInHours":169}""", "expiresInHours")]
    [InlineData("""{"recipientEmail":"ana@customer.example","passphrase":"short"}""", "passphrase")]
    [InlineData("""{"recipientEmail":"ana@customer.example","secretId":"nosuchsecret"}""", "secretId")]
    [InlineData("""{"recipientEmail":"ana@customer.example","token":"mine"}""", "token")]
    public async Task Invalid_requests_are_refused_and_queue_nothing(string json, string field)
    {
        await app.ReadyAsync();
        using var client = flow.Admin();
        var created = await flow.CreateApplicationAsync(client);
        await Eventually.TrueAsync(async () => await flow.QueuedAsync() == 0, TimeSpan.FromSeconds(30), "earlier tests' messages are settled");
        var sentBefore = app.Email.SendAttempts.Count;

        var problem = await (await client.PostJsonAsync($"{flow.Applications}/{created.GetProperty("id").GetString()}/secret-emails", json))
            .ExpectProblemAsync(HttpStatusCode.BadRequest);

        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
        // Counted with hidden messages, so one the listener has already taken would show as well: with none, no send can follow.
        Assert.Equal(0, await flow.QueuedAsync());
        Assert.Equal(0, await flow.PoisonedAsync());
        Assert.Equal(sentBefore, app.Email.SendAttempts.Count);
    }

    [Fact]
    public async Task Tables_hold_no_link_token_and_no_passphrase()
    {
        await app.ReadyAsync();
        using var client = flow.Admin();
        var created = await flow.CreateApplicationAsync(client);
        var (_, token) = await flow.SendLinkAsync(client, created.GetProperty("id").GetString()!, "quiet@customer.example", passphrase: "correct horse battery");

        var tables = new StorageTables(name => new TableClient(StorageAccount.Parse(app.Azurite.ConnectionString), name));
        foreach (var table in tables.All)
        {
            var text = string.Join("\n", (await table.ReadAllAsync()).SelectMany(row => row.Texts()));
            Assert.DoesNotContain(token, text, StringComparison.Ordinal);
            Assert.DoesNotContain("correct horse battery", text, StringComparison.Ordinal);
            Assert.DoesNotContain(created.GetProperty("clientSecret").GetString()!, text, StringComparison.Ordinal);
        }

        Assert.DoesNotContain(app.Logs.Lines, line => line.Contains(token, StringComparison.Ordinal) || line.Contains("correct horse battery", StringComparison.Ordinal));
    }

    [Fact]
    public void Queue_messages_carry_ids_only()
    {
        var text = SecretEmailRequests.Write(new SecretEmailMessage("bu1", "app1", "delivery1"));

        Assert.Equal("""{"businessUnit":"bu1","applicationId":"app1","deliveryId":"delivery1"}""", text);
    }

    static readonly AuditContext Requester = new(new AuditActor("tester", "Test User"), "secret-email-tests");

    static readonly AuditContext LinkHolder = new(AuditActor.LinkHolder, "secret-email-tests");
}
