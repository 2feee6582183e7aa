using System.Buffers;
using System.Globalization;
using System.Text.Json;

namespace ServerlessCreds.Adapters.Tables;

/// <summary>Entity JSON with <c>@odata.type</c> annotations for the types JSON cannot express (table-storage.md §6).</summary>
internal static class TableEntityJson
{
    private const string DateTimeFormat = "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'";

    public static byte[] Write(TableEntity entity)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("PartitionKey", entity.PartitionKey);
            writer.WriteString("RowKey", entity.RowKey);
            foreach (var (name, value) in entity.Properties)
            {
                WriteProperty(writer, name, value);
            }

            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    public static TableEntity Read(JsonElement json)
    {
        var entity = new TableEntity(
            json.TryGetProperty("PartitionKey", out var partitionKey) ? partitionKey.GetString() ?? "" : "",
            json.TryGetProperty("RowKey", out var rowKey) ? rowKey.GetString() ?? "" : "");
        foreach (var property in json.EnumerateObject())
        {
            var name = property.Name;
            if (name is "PartitionKey" or "RowKey" || name.StartsWith("odata.", StringComparison.Ordinal) || name.Contains('@', StringComparison.Ordinal))
            {
                continue;
            }

            if (name == "Timestamp")
            {
                // Azure annotates Timestamp as Edm.DateTime; Azurite may not, so it is always read as one.
                entity.Timestamp = (DateTimeOffset?)ReadValue(property.Value, "Edm.DateTime");
                continue;
            }

            var edmType = json.TryGetProperty(name + "@odata.type", out var annotation) ? annotation.GetString() : null;
            entity[name] = ReadValue(property.Value, edmType);
        }

        if (json.TryGetProperty("odata.etag", out var etag))
        {
            entity.ETag = etag.GetString();
        }

        return entity;
    }

    private static void WriteProperty(Utf8JsonWriter writer, string name, object? value)
    {
        switch (value)
        {
            case null:
                return;
            case string text:
                writer.WriteString(name, text);
                return;
            case bool flag:
                writer.WriteBoolean(name, flag);
                return;
            case int number:
                writer.WriteNumber(name, number);
                return;
            case long number:
                writer.WriteString(name, number.ToString(CultureInfo.InvariantCulture));
                break;
            case double number when double.IsFinite(number):
                writer.WriteNumber(name, number);
                break;
            case double number:
                writer.WriteString(name, double.IsNaN(number) ? "NaN" : number > 0 ? "Infinity" : "-Infinity");
                break;
            case DateTimeOffset time:
                writer.WriteString(name, time.UtcDateTime.ToString(DateTimeFormat, CultureInfo.InvariantCulture));
                break;
            case Guid guid:
                writer.WriteString(name, guid.ToString("D"));
                break;
            case byte[] bytes:
                writer.WriteBase64String(name, bytes);
                break;
            default:
                throw new NotSupportedException($"Property '{name}' has unsupported type {value.GetType().Name}.");
        }

        writer.WriteString(name + "@odata.type", EdmType(value));
    }

    private static string EdmType(object value) => value switch
    {
        long => "Edm.Int64",
        double => "Edm.Double",
        DateTimeOffset => "Edm.DateTime",
        Guid => "Edm.Guid",
        _ => "Edm.Binary",
    };

    private static object? ReadValue(JsonElement value, string? edmType) => (edmType, value.ValueKind) switch
    {
        (_, JsonValueKind.Null) => null,
        ("Edm.Int64", _) => long.Parse(value.GetString()!, CultureInfo.InvariantCulture),
        ("Edm.Double", JsonValueKind.String) => double.Parse(value.GetString()!, CultureInfo.InvariantCulture),
        ("Edm.Double", _) => value.GetDouble(),
        ("Edm.DateTime", _) => DateTimeOffset.Parse(value.GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal),
        ("Edm.Guid", _) => Guid.Parse(value.GetString()!, CultureInfo.InvariantCulture),
        ("Edm.Binary", _) => value.GetBytesFromBase64(),
        (_, JsonValueKind.String) => value.GetString(),
        (_, JsonValueKind.True) => true,
        (_, JsonValueKind.False) => false,
        (_, JsonValueKind.Number) when value.TryGetInt32(out var number) => number,
        (_, JsonValueKind.Number) => value.GetDouble(),
        _ => throw new NotSupportedException($"Unsupported table property type {edmType ?? value.ValueKind.ToString()}."),
    };
}
