using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ServerlessCreds.Host.Functions;

/// <summary>The Functions host's queue-trigger invocation body: <c>{ "Data": { "message": ... }, "Metadata": { ... } }</c>.</summary>
sealed record QueueInvocationRequest(QueueInvocationData Data, QueueInvocationMetadata Metadata);

sealed record QueueInvocationData(
    [property: JsonPropertyName(FunctionDefinition.QueueBindingName), JsonConverter(typeof(HostTextConverter))] string Message);

/// <summary>The trigger metadata we use; the host also sends ExpirationTime, NextVisibleTime, PopReceipt and sys (ignored).</summary>
sealed record QueueInvocationMetadata(
    [property: JsonConverter(typeof(HostTextConverter))] string Id,
    [property: JsonConverter(typeof(HostCountConverter))] long DequeueCount,
    [property: JsonConverter(typeof(HostTimeConverter))] DateTimeOffset InsertionTime);

/// <summary>The reply the host expects on success (any 2xx needs a JSON body; an empty one can hang the invocation).</summary>
sealed record FunctionInvocationResponse(IReadOnlyDictionary<string, JsonElement> Outputs, IReadOnlyList<string> Logs, JsonElement? ReturnValue)
{
    public static FunctionInvocationResponse WithLogs(params string[] logs) => new(new Dictionary<string, JsonElement>(), logs, null);
}

/// <summary>Host property names are PascalCase as sent; members we do not model (sys, PopReceipt…) are skipped.</summary>
[JsonSourceGenerationOptions(RespectNullableAnnotations = true, RespectRequiredConstructorParameters = true)]
[JsonSerializable(typeof(QueueInvocationRequest))]
[JsonSerializable(typeof(FunctionInvocationResponse))]
sealed partial class FunctionInvocationJsonContext : JsonSerializerContext;

/// <summary>
/// The host serializes every non-object value once more (<c>JsonConvert.SerializeObject</c>), so a text can arrive as
/// <c>"hello"</c> or <c>"\"hello\""</c>, and numbers and dates as strings. These converters accept both forms.
/// </summary>
static class HostEncoding
{
    /// <summary>Unwraps a string that is itself a JSON string literal; anything else is taken as it is.</summary>
    public static string Unwrap(string value)
    {
        if (value.Length < 2 || value[0] != '"')
        {
            return value;
        }

        try
        {
            using var inner = JsonDocument.Parse(value);
            return inner.RootElement.ValueKind == JsonValueKind.String ? inner.RootElement.GetString()! : value;
        }
        catch (JsonException)
        {
            return value;
        }
    }

    public static string ReadText(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            return Unwrap(reader.GetString()!);
        }

        // A message whose text the host chose to pass as parsed JSON: hand the handler its JSON text.
        using var value = JsonDocument.ParseValue(ref reader);
        return value.RootElement.ValueKind == JsonValueKind.Null ? throw new JsonException("Expected a value, not null.") : value.RootElement.GetRawText();
    }
}

sealed class HostTextConverter : JsonConverter<string>
{
    public override string Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => HostEncoding.ReadText(ref reader);

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);
}

sealed class HostCountConverter : JsonConverter<long>
{
    public override long Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.Number ? reader.GetInt64()
        : reader.TokenType == JsonTokenType.String && long.TryParse(HostEncoding.Unwrap(reader.GetString()!), NumberStyles.None, CultureInfo.InvariantCulture, out var count) ? count
        : throw new JsonException("Expected a count as a number or a numeric string.");

    public override void Write(Utf8JsonWriter writer, long value, JsonSerializerOptions options) => writer.WriteNumberValue(value);
}

sealed class HostTimeConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.String
        && DateTimeOffset.TryParse(HostEncoding.Unwrap(reader.GetString()!), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time)
            ? time
            : throw new JsonException("Expected a date as an ISO-8601 string.");

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) => writer.WriteStringValue(value);
}
