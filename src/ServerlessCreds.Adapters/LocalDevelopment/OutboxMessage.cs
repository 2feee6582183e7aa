using System.Text.Json;
using System.Text.Json.Serialization;

namespace ServerlessCreds.Adapters.LocalDevelopment;

/// <summary>An email the local outbox "sent": the whole message, one-time link included.</summary>
public sealed record OutboxMessage(
    Guid OperationId,
    DateTimeOffset SentAt,
    string RecipientAddress,
    string? RecipientName,
    string Subject,
    string PlainText,
    string Html);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true)]
[JsonSerializable(typeof(OutboxMessage))]
internal sealed partial class OutboxJsonContext : JsonSerializerContext;
