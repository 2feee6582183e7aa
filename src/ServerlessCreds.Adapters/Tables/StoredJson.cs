using System.Text.Json;
using System.Text.Json.Serialization;

namespace ServerlessCreds.Adapters.Tables;

/// <summary>Lists are stored as one JSON string property; table entities have no array type.</summary>
static class StoredJson
{
    public static string Write(IReadOnlyList<string> values) => JsonSerializer.Serialize(values.ToArray(), StoredJsonContext.Default.StringArray);

    public static IReadOnlyList<string> ReadList(string? json) =>
        string.IsNullOrEmpty(json) ? [] : JsonSerializer.Deserialize(json, StoredJsonContext.Default.StringArray) ?? [];
}

[JsonSerializable(typeof(string[]))]
sealed partial class StoredJsonContext : JsonSerializerContext;
