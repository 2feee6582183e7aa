using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using ServerlessCreds.Deliveries;

namespace ServerlessCreds.Adapters.LocalDevelopment;

/// <summary>
/// Development stand-in for email: writes each message to a folder outside the repository (<c>{operationId}.json</c>
/// plus <c>{operationId}.html</c>) so a local run can follow one-time links. Refuses to exist outside Development.
/// </summary>
public sealed class OutboxEmailSender : IEmailSender
{
    public const string PathSetting = "LocalDevelopment:OutboxPath";

    public OutboxEmailSender(IHostEnvironment environment, IConfiguration configuration)
    {
        if (!environment.IsDevelopment())
        {
            throw new InvalidOperationException(
                $"The email outbox stores one-time links in plain files and only runs in Development, not '{environment.EnvironmentName}'.");
        }

        Folder = configuration[PathSetting] is { Length: > 0 } path
            ? Path.GetFullPath(path)
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create), "serverlesscreds", "outbox");
        Directory.CreateDirectory(Folder);
    }

    public string Folder { get; }

    /// <summary>Stores the message; the same <paramref name="operationId"/> overwrites, so a repeated send is not a duplicate.</summary>
    public async Task<EmailSendResult> SendAsync(EmailMessage message, Guid operationId, CancellationToken cancellationToken)
    {
        var stored = new OutboxMessage(
            operationId, DateTimeOffset.UtcNow, message.RecipientAddress, message.RecipientName, message.Subject, message.PlainText, message.Html);
        await WriteAsync(FilePath(operationId, "html"), Encoding.UTF8.GetBytes(message.Html), cancellationToken);
        await WriteAsync(FilePath(operationId, "json"), JsonSerializer.SerializeToUtf8Bytes(stored, OutboxJsonContext.Default.OutboxMessage), cancellationToken);
        return new EmailSendResult.Accepted();
    }

    /// <summary>Every stored message, newest first.</summary>
    public Task<bool> WasAcceptedAsync(Guid operationId, CancellationToken cancellationToken) => Task.FromResult(File.Exists(FilePath(operationId, "json")));

    public async Task<IReadOnlyList<OutboxMessage>> ListAsync(CancellationToken cancellationToken = default)
    {
        var messages = new List<OutboxMessage>();
        foreach (string file in Directory.EnumerateFiles(Folder, "*.json"))
        {
            if (await ReadFileAsync(file, cancellationToken) is { } message)
            {
                messages.Add(message);
            }
        }

        return [.. messages.OrderByDescending(message => message.SentAt)];
    }

    /// <summary>The stored message with that operation id, or null.</summary>
    public Task<OutboxMessage?> ReadAsync(Guid operationId, CancellationToken cancellationToken = default) =>
        ReadFileAsync(FilePath(operationId, "json"), cancellationToken);

    string FilePath(Guid operationId, string extension) => Path.Combine(Folder, $"{operationId:D}.{extension}");

    static async Task<OutboxMessage?> ReadFileAsync(string path, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        await using var file = File.OpenRead(path);
        return await JsonSerializer.DeserializeAsync(file, OutboxJsonContext.Default.OutboxMessage, cancellationToken);
    }

    // Write aside, then rename over the target: a reader never sees half a file, and a repeat replaces the original.
    static async Task WriteAsync(string path, byte[] content, CancellationToken cancellationToken)
    {
        string temporary = $"{path}.{Guid.NewGuid():N}.tmp";
        await File.WriteAllBytesAsync(temporary, content, cancellationToken);
        File.Move(temporary, path, overwrite: true);
    }
}
