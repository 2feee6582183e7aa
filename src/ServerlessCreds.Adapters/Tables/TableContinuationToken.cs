using System.Buffers.Text;
using System.Text;

namespace ServerlessCreds.Adapters.Tables;

/// <summary>Packs the service's NextPartitionKey/NextRowKey pair into one opaque, URL-safe string.</summary>
internal static class TableContinuationToken
{
    public static string? Encode(string? nextPartitionKey, string? nextRowKey) =>
        nextPartitionKey is null && nextRowKey is null
            ? null
            : $"{Base64Url.EncodeToString(Encoding.UTF8.GetBytes(nextPartitionKey ?? ""))}.{Base64Url.EncodeToString(Encoding.UTF8.GetBytes(nextRowKey ?? ""))}";

    public static (string NextPartitionKey, string NextRowKey) Decode(string token)
    {
        var parts = token.Split('.');
        try
        {
            return parts.Length == 2
                ? (DecodePart(parts[0]), DecodePart(parts[1]))
                : throw Malformed();
        }
        catch (FormatException)
        {
            throw Malformed();
        }
    }

    private static string DecodePart(string part) =>
        Encoding.UTF8.GetString(Base64Url.DecodeFromChars(part));

    private static ArgumentException Malformed() => new("The continuation token is malformed.", "continuationToken");
}
