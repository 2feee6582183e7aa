using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Internal;
using ServerlessCreds.Adapters.LocalDevelopment;
using ServerlessCreds.Deliveries;

namespace ServerlessCreds.Adapters.Tests.Email;

public sealed class OutboxEmailSenderTests : IDisposable
{
    readonly string _folder = Path.Combine(Path.GetTempPath(), "serverlesscreds-outbox-tests", Guid.NewGuid().ToString("N"));

    static readonly EmailMessage Message = new(
        "ana@example.org", "Ana", "Your client secret", "Open https://localhost/s/abc", "<p><a href=\"https://localhost/s/abc\">Open</a></p>");

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    OutboxEmailSender CreateSender(string environmentName = "Development")
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { [OutboxEmailSender.PathSetting] = _folder })
            .Build();
        return new OutboxEmailSender(new HostingEnvironment { EnvironmentName = environmentName }, configuration);
    }

    [Fact]
    public async Task A_sent_message_can_be_read_back_with_its_html_beside_it()
    {
        var outbox = CreateSender();
        var operationId = Guid.NewGuid();

        var result = await outbox.SendAsync(Message, operationId, CancellationToken.None);

        Assert.IsType<EmailSendResult.Accepted>(result);
        var stored = await outbox.ReadAsync(operationId);
        Assert.NotNull(stored);
        Assert.Equal(
            (operationId, Message.RecipientAddress, Message.RecipientName, Message.Subject, Message.PlainText, Message.Html),
            (stored.OperationId, stored.RecipientAddress, stored.RecipientName, stored.Subject, stored.PlainText, stored.Html));
        Assert.Equal(Message.Html, await File.ReadAllTextAsync(Path.Combine(_folder, $"{operationId}.html")));
    }

    [Fact]
    public async Task The_same_operation_id_twice_keeps_one_message()
    {
        var outbox = CreateSender();
        var operationId = Guid.NewGuid();

        await outbox.SendAsync(Message, operationId, CancellationToken.None);
        await outbox.SendAsync(Message with { Subject = "Second try" }, operationId, CancellationToken.None);

        var stored = Assert.Single(await outbox.ListAsync());
        Assert.Equal("Second try", stored.Subject);
        Assert.Equal(2, Directory.GetFiles(_folder).Length);
    }

    [Fact]
    public async Task Messages_are_listed_newest_first()
    {
        var outbox = CreateSender();
        var older = Guid.NewGuid();
        var newer = Guid.NewGuid();

        await outbox.SendAsync(Message with { Subject = "older" }, older, CancellationToken.None);
        var olderSentAt = (await outbox.ReadAsync(older))!.SentAt;
        SpinWait.SpinUntil(() => DateTimeOffset.UtcNow > olderSentAt); // two sends can read the same clock tick
        await outbox.SendAsync(Message with { Subject = "newer" }, newer, CancellationToken.None);

        Assert.Equal([newer, older], (await outbox.ListAsync()).Select(message => message.OperationId));
    }

    [Fact]
    public async Task An_unknown_operation_id_reads_as_null()
    {
        Assert.Null(await CreateSender().ReadAsync(Guid.NewGuid()));
    }

    [Fact]
    public void The_outbox_refuses_to_run_outside_Development()
    {
        var exception = Assert.Throws<InvalidOperationException>(() => CreateSender(Environments.Production));

        Assert.Contains("Development", exception.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_folder));
    }
}
