using System.Buffers.Text;
using System.Text;
using System.Text.RegularExpressions;

namespace ServerlessCreds.Host.Http;

/// <summary>HTTP ETags are strong, quoted wrappers around the opaque storage version, so clients never parse storage internals.</summary>
static partial class ETags
{
    public static void SetETag(this HttpResponse response, string version) =>
        response.Headers.ETag = $"\"{Base64Url.EncodeToString(Encoding.UTF8.GetBytes(version))}\"";

    /// <summary>
    /// The versions If-Match lists (RFC 9110 13.1.1: any of them may match), null when absent or "*". The comparison is
    /// strong, so weak tags are left out; unreadable ones too, and a list of only those matches nothing.
    /// </summary>
    public static IReadOnlyList<string>? IfMatchVersions(this HttpRequest request)
    {
        var header = request.Headers.IfMatch.ToString().Trim();
        if (header.Length == 0 || header == "*")
        {
            return null;
        }

        return [.. EntityTag().Matches(header).Where(tag => !tag.Groups["weak"].Success).Select(tag => Version(tag.Groups["opaque"].Value)).OfType<string>()];
    }

    static string? Version(string opaque)
    {
        try
        {
            return Encoding.UTF8.GetString(Base64Url.DecodeFromChars(opaque));
        }
        catch (FormatException)
        {
            return null;
        }
    }

    [GeneratedRegex("""(?<weak>W/)?"(?<opaque>[^"]*)"(?=\s*(?:,|\z))""")]
    private static partial Regex EntityTag();
}
