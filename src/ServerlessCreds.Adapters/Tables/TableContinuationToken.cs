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

    // The parts go back out as request headers: anything but printable ASCII (the service's own tokens) is a forgery.
    private static string DecodePart(string part)
    {
        var value = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(part));
        return value.All(c => c is >= ' ' and <= '~') ? value : throw Malformed();
    }

    private static ArgumentException Malformed() => new("The continuation token is malformed.", "continuationToken");
}
