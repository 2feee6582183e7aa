using System.Text.Json;
using System.Text.Json.Serialization;
using ServerlessCreds.Common;
using ServerlessCreds.Deliveries;

namespace ServerlessCreds.Adapters.Queues;

/// <summary>Secret-email requests on the <c>secret-emails</c> queue that the <c>SendSecretEmail</c> function drains.</summary>
public sealed class SecretEmailRequests(QueueClient queue) : ISecretEmailRequests
{
    public const string QueueName = "secret-emails";

    public QueueClient Queue => queue;

    public async Task EnqueueAsync(SecretEmailMessage message, CancellationToken cancellationToken)
    {
        try
        {
            await queue.SendAsync(Write(message), cancellationToken: cancellationToken);
        }
        catch (QueueRequestException e)
        {
            // A refusal such as 403 while a role assignment propagates: to the caller the queue is unavailable, not our bug.
            throw new DependencyUnavailableException("queue storage", e);
        }
    }

    public static string Write(SecretEmailMessage message) => JsonSerializer.Serialize(message, SecretEmailJsonContext.Default.SecretEmailMessage);

    /// <summary>Reads a message; null when it is not one of ours (it can then only be discarded).</summary>
    public static SecretEmailMessage? Read(string text)
    {
        try
        {
            return JsonSerializer.Deserialize(text, SecretEmailJsonContext.Default.SecretEmailMessage) is { BusinessUnit: not null, ApplicationId: not null, DeliveryId: not null } message
                ? message
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web, UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(SecretEmailMessage))]
sealed partial class SecretEmailJsonContext : JsonSerializerContext;
