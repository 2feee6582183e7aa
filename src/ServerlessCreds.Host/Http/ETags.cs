using System.Buffers.Text;
using System.Text;

namespace ServerlessCreds.Host.Http;

/// <summary>HTTP ETags are strong, quoted wrappers around the opaque storage version, so clients never parse storage internals.</summary>
static class ETags
{
    public static void SetETag(this HttpResponse response, string version) =>
        response.Headers.ETag = $"\"{Base64Url.EncodeToString(Encoding.UTF8.GetBytes(version))}\"";

    /// <summary>The version named by If-Match, null when absent or "*"; an unreadable value yields a version that never matches.</summary>
    public static string? IfMatchVersion(this HttpRequest request)
    {
        var header = request.Headers.IfMatch.ToString().Trim();
        if (header.Length == 0 || header == "*")
        {
            return null;
        }

        if (header.Length < 2 || header[0] != '"' || header[^1] != '"')
        {
            return header;
        }

        try
        {
            return Encoding.UTF8.GetString(Base64Url.DecodeFromChars(header.AsSpan(1, header.Length - 2)));
        }
        catch (FormatException)
        {
            return header;
        }
    }
}
