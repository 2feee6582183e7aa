using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using Azure.Core;
using Azure.Core.Pipeline;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ServerlessCreds.Adapters.Email;
using ServerlessCreds.Adapters.Tests.Storage;
using ServerlessCreds.Common;
using ServerlessCreds.Deliveries;
using ServerlessCreds.Testing.CommunicationEmail;

namespace ServerlessCreds.Adapters.Tests.Email;

public sealed class CommunicationEmailSenderTests
{
    const string Sender = "DoNotReply@mail.example.com";

    static readonly EmailMessage Message = new(
        "ana@example.org",
        "Ana",
        "Your client secret for Billing",
        "Open https://creds.example.com/s/abc to reveal it.",
        "<p>Open <a href=\"https://creds.example.com/s/abc\">this link</a> to reveal it.</p>");

    static CommunicationEmailSender CreateSender(string connectionString) =>
        new(new EmailOptions { ConnectionString = connectionString, SenderAddress = Sender }, retryDelay: TimeSpan.FromMilliseconds(10));

    [Fact]
    public async Task A_send_is_recorded_with_the_message_fields_and_a_valid_signature()
    {
        await using var server = await CommunicationEmailTestServer.StartAsync();
        var operationId = Guid.NewGuid();

        var result = await CreateSender(server.ConnectionString).SendAsync(Message, operationId, CancellationToken.None);

        Assert.IsType<EmailSendResult.Accepted>(result);
        var sent = Assert.Single(server.SentMessages);
        Assert.Equal(operationId.ToString(), sent.OperationId);
        Assert.Equal(Sender, sent.SenderAddress);
        Assert.Equal([new SentEmailRecipient("ana@example.org", "Ana")], sent.To);
        Assert.Equal(Message.Subject, sent.Subject);
        Assert.Equal(Message.PlainText, sent.PlainText);
        Assert.Equal(Message.Html, sent.Html);
        Assert.True(sent.UserEngagementTrackingDisabled);
        Assert.StartsWith("HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=", sent.Headers["Authorization"]);
        Assert.Equal(operationId.ToString(), sent.Headers["Operation-Id"]);
    }

    [Fact]
    public async Task An_accepted_operation_is_known_to_the_service_and_an_unsent_one_is_not()
    {
        await using var server = await CommunicationEmailTestServer.StartAsync();
        var sender = CreateSender(server.ConnectionString);
        var sent = Guid.NewGuid();
        await sender.SendAsync(Message, sent, CancellationToken.None);

        Assert.True(await sender.WasAcceptedAsync(sent, CancellationToken.None));
        Assert.False(await sender.WasAcceptedAsync(Guid.NewGuid(), CancellationToken.None));
    }

    [Fact]
    public async Task The_operation_of_an_accepted_send_reads_as_succeeded_with_a_signed_get()
    {
        await using var server = await CommunicationEmailTestServer.StartAsync();
        var operationId = Guid.NewGuid();
        await CreateSender(server.ConnectionString).SendAsync(Message, operationId, CancellationToken.None);
        Assert.True(CommunicationConnectionString.TryParse(server.ConnectionString, out var connectionString));
        var pipeline = HttpPipelineBuilder.Build(new TestClientOptions(), new HmacAuthenticationPolicy(connectionString!.AccessKey));

        using var message = pipeline.CreateMessage();
        message.Request.Method = RequestMethod.Get;
        message.Request.Uri.Reset(new Uri(server.Endpoint, $"emails/operations/{operationId}?api-version=2023-03-31"));
        await pipeline.SendAsync(message, CancellationToken.None);

        Assert.Equal(200, message.Response.Status);
        using var body = JsonDocument.Parse(message.Response.Content.ToMemory());
        Assert.Equal(operationId.ToString(), body.RootElement.GetProperty("id").GetString());
        Assert.Equal("Succeeded", body.RootElement.GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_wrong_access_key_fails_with_a_message_that_does_not_contain_the_key()
    {
        await using var server = await CommunicationEmailTestServer.StartAsync();
        string wrongKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

        var sender = CreateSender($"endpoint={server.Endpoint};accesskey={wrongKey}");
        var exception = await Assert.ThrowsAsync<InvalidOperationException>(() => sender.SendAsync(Message, Guid.NewGuid(), CancellationToken.None));

        Assert.Contains("401", exception.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(wrongKey, exception.ToString(), StringComparison.Ordinal);
        Assert.Empty(server.SentMessages);
        Assert.Equal(401, Assert.Single(server.SendAttempts).Status);
    }

    [Fact]
    public async Task Sending_twice_with_the_same_operation_id_records_one_message()
    {
        await using var server = await CommunicationEmailTestServer.StartAsync();
        var sender = CreateSender(server.ConnectionString);
        var operationId = Guid.NewGuid();

        var first = await sender.SendAsync(Message, operationId, CancellationToken.None);
        var second = await sender.SendAsync(Message, operationId, CancellationToken.None);

        Assert.IsType<EmailSendResult.Accepted>(first);
        Assert.IsType<EmailSendResult.Accepted>(second);
        Assert.Single(server.SentMessages);
        Assert.Equal(2, server.SendAttempts.Count);
    }

    [Fact]
    public async Task A_503_is_retried_with_the_same_operation_id_and_sends_once()
    {
        await using var server = await CommunicationEmailTestServer.StartAsync();
        server.FailNext(1, HttpStatusCode.ServiceUnavailable);
        var operationId = Guid.NewGuid();

        var result = await CreateSender(server.ConnectionString).SendAsync(Message, operationId, CancellationToken.None);

        Assert.IsType<EmailSendResult.Accepted>(result);
        Assert.Single(server.SentMessages);
        Assert.Equal([503, 202], server.SendAttempts.Select(attempt => attempt.Status));
        Assert.All(server.SendAttempts, attempt => Assert.Equal(operationId.ToString(), attempt.OperationId));
    }

    [Fact]
    public async Task A_dropped_connection_is_retried_with_the_same_operation_id()
    {
        await using var server = await CommunicationEmailTestServer.StartAsync();
        server.DropNextConnections(1);
        var operationId = Guid.NewGuid();

        var result = await CreateSender(server.ConnectionString).SendAsync(Message, operationId, CancellationToken.None);

        Assert.IsType<EmailSendResult.Accepted>(result);
        Assert.Single(server.SentMessages);
        Assert.Equal([0, 202], server.SendAttempts.Select(attempt => attempt.Status));
        Assert.All(server.SendAttempts, attempt => Assert.Equal(operationId.ToString(), attempt.OperationId));
    }

    [Fact]
    public async Task A_429_with_a_long_Retry_After_returns_Throttled_with_that_delay_and_sends_nothing()
    {
        await using var server = await CommunicationEmailTestServer.StartAsync();
        server.FailNext(1, HttpStatusCode.TooManyRequests, retryAfter: TimeSpan.FromSeconds(45));

        var result = await CreateSender(server.ConnectionString).SendAsync(Message, Guid.NewGuid(), CancellationToken.None);

        Assert.Equal(new EmailSendResult.Throttled(TimeSpan.FromSeconds(45)), result);
        Assert.Empty(server.SentMessages);
        Assert.Single(server.SendAttempts);
    }

    [Fact]
    public async Task A_429_with_a_short_Retry_After_is_waited_out_before_the_retry()
    {
        await using var server = await CommunicationEmailTestServer.StartAsync();
        server.FailNext(1, HttpStatusCode.TooManyRequests, retryAfter: TimeSpan.FromSeconds(1));
        var clock = Stopwatch.StartNew();

        var result = await CreateSender(server.ConnectionString).SendAsync(Message, Guid.NewGuid(), CancellationToken.None);

        Assert.IsType<EmailSendResult.Accepted>(result);
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(0.9), $"retried after {clock.Elapsed}");
        Assert.Equal([429, 202], server.SendAttempts.Select(attempt => attempt.Status));
    }

    [Fact]
    public async Task A_burst_beyond_a_short_quota_window_is_sent_in_full_by_waiting()
    {
        await using var server = await CommunicationEmailTestServer.StartAsync();
        server.SetQuota(messagesPerWindow: 2, window: TimeSpan.FromSeconds(1));
        var sender = CreateSender(server.ConnectionString);

        var results = new List<EmailSendResult>();
        for (int i = 0; i < 4; i++)
        {
            results.Add(await sender.SendAsync(Message, Guid.NewGuid(), CancellationToken.None));
        }

        Assert.All(results, result => Assert.IsType<EmailSendResult.Accepted>(result));
        Assert.Equal(4, server.SentMessages.Count);
        Assert.Contains(server.SendAttempts, attempt => attempt.Status == 429);
    }

    [Fact]
    public async Task A_burst_beyond_a_long_quota_window_is_throttled_for_the_rest_of_the_window()
    {
        await using var server = await CommunicationEmailTestServer.StartAsync();
        server.SetQuota(messagesPerWindow: 2, window: TimeSpan.FromMinutes(1));
        var sender = CreateSender(server.ConnectionString);

        await sender.SendAsync(Message, Guid.NewGuid(), CancellationToken.None);
        await sender.SendAsync(Message, Guid.NewGuid(), CancellationToken.None);
        var third = await sender.SendAsync(Message, Guid.NewGuid(), CancellationToken.None);

        var throttled = Assert.IsType<EmailSendResult.Throttled>(third);
        Assert.InRange(throttled.RetryAfter, TimeSpan.FromSeconds(50), TimeSpan.FromSeconds(60));
        Assert.Equal(2, server.SentMessages.Count);
    }

    [Fact]
    public async Task A_rejected_recipient_is_Rejected_with_status_and_code_only_and_not_retried()
    {
        await using var server = await CommunicationEmailTestServer.StartAsync();
        server.RejectRecipient("ana@example.org");

        var result = await CreateSender(server.ConnectionString).SendAsync(Message, Guid.NewGuid(), CancellationToken.None);

        // The service's message text could echo what we sent; the reason is stored and shown, so it holds none of it.
        var rejected = Assert.IsType<EmailSendResult.Rejected>(result);
        Assert.Equal("400 InvalidRecipient", rejected.Reason);
        Assert.Empty(server.SentMessages);
        Assert.Single(server.SendAttempts);
    }

    [Fact]
    public async Task An_invalid_recipient_address_is_Rejected_by_the_service()
    {
        await using var server = await CommunicationEmailTestServer.StartAsync();

        var result = await CreateSender(server.ConnectionString)
            .SendAsync(Message with { RecipientAddress = "not an address" }, Guid.NewGuid(), CancellationToken.None);

        var rejected = Assert.IsType<EmailSendResult.Rejected>(result);
        Assert.Equal("400 BadRequest", rejected.Reason);
    }

    [Fact]
    public async Task A_throttled_status_request_is_unavailable_with_the_Retry_After_the_service_named()
    {
        await using var server = await CommunicationEmailTestServer.StartAsync();
        server.FailNextStatusRequests(1, HttpStatusCode.TooManyRequests, TimeSpan.FromSeconds(30));

        var unavailable = await Assert.ThrowsAsync<DependencyUnavailableException>(
            () => CreateSender(server.ConnectionString).WasAcceptedAsync(Guid.NewGuid(), CancellationToken.None));

        Assert.Equal(TimeSpan.FromSeconds(30), unavailable.RetryAfter);
        Assert.Equal(1, server.StatusRequests);
    }

    [Fact]
    public async Task A_service_that_keeps_failing_is_unavailable_after_the_retries()
    {
        await using var server = await CommunicationEmailTestServer.StartAsync();
        server.FailNext(10, HttpStatusCode.InternalServerError);

        var sender = CreateSender(server.ConnectionString);
        var exception = await Assert.ThrowsAsync<DependencyUnavailableException>(() => sender.SendAsync(Message, Guid.NewGuid(), CancellationToken.None));

        Assert.Equal("email service", exception.Dependency);
        Assert.Equal(4, server.SendAttempts.Count);
        Assert.Empty(server.SentMessages);
    }

    [Fact]
    public async Task A_service_that_is_down_is_unavailable()
    {
        string connectionString;
        await using (var server = await CommunicationEmailTestServer.StartAsync())
        {
            connectionString = server.ConnectionString;
        }

        var sender = CreateSender(connectionString);
        var exception = await Assert.ThrowsAsync<DependencyUnavailableException>(() => sender.SendAsync(Message, Guid.NewGuid(), CancellationToken.None));

        Assert.Equal("email service", exception.Dependency);
    }

    [Fact]
    public async Task A_managed_identity_without_a_token_is_unavailable()
    {
        var options = new EmailOptions { Endpoint = "https://acs-example.communication.azure.com/", SenderAddress = "DoNotReply@mail.serverlesscreds.test" };
        var sender = new CommunicationEmailSender(options, TimeSpan.FromMilliseconds(1), new NoTokenCredential());

        var exception = await Assert.ThrowsAsync<DependencyUnavailableException>(() => sender.SendAsync(Message, Guid.NewGuid(), CancellationToken.None));

        Assert.Equal("email service", exception.Dependency);
        Assert.IsType<Azure.Identity.AuthenticationFailedException>(exception.InnerException);
    }

    [Fact]
    public async Task AddCommunicationEmail_sends_with_the_configured_connection_string()
    {
        await using var server = await CommunicationEmailTestServer.StartAsync();
        using var services = BuildServices(new() { ["Email:ConnectionString"] = server.ConnectionString, ["Email:SenderAddress"] = Sender });

        var result = await services.GetRequiredService<IEmailSender>().SendAsync(Message, Guid.NewGuid(), CancellationToken.None);

        Assert.IsType<EmailSendResult.Accepted>(result);
        Assert.Single(server.SentMessages);
    }

    [Fact]
    public void Settings_without_a_sender_or_service_fail_validation_naming_both()
    {
        using var services = BuildServices([]);

        var exception = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<EmailOptions>>().Value);

        Assert.Contains(exception.Failures, failure => failure.Contains("Email:Endpoint", StringComparison.Ordinal));
        Assert.Contains(exception.Failures, failure => failure.Contains("Email:SenderAddress", StringComparison.Ordinal));
    }

    [Fact]
    public void A_plain_http_endpoint_outside_this_machine_fails_validation_without_echoing_the_key()
    {
        string key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        using var services = BuildServices(new()
        {
            ["Email:ConnectionString"] = $"endpoint=http://contoso.communication.azure.com/;accesskey={key}",
            ["Email:SenderAddress"] = Sender,
        });

        var exception = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<EmailOptions>>().Value);

        Assert.Contains("https", exception.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(key, exception.Message, StringComparison.Ordinal);
    }

    static ServiceProvider BuildServices(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        return new ServiceCollection().AddCommunicationEmail(configuration).BuildServiceProvider();
    }

    sealed class TestClientOptions : ClientOptions;
}
