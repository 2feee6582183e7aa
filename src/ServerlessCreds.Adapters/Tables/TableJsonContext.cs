using System.Text.Json.Serialization;

namespace ServerlessCreds.Adapters.Tables;

internal sealed record TableProperties(string TableName);

[JsonSerializable(typeof(TableProperties))]
internal sealed partial class TableJsonContext : JsonSerializerContext;
