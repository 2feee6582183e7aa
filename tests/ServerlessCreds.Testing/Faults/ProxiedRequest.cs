using System.Text;

namespace ServerlessCreds.Testing.Faults;

/// <summary>A request as it reached the <see cref="FaultProxy"/>: <paramref name="PathAndQuery"/> is the raw request target; header names compare case-insensitively.</summary>
public sealed record ProxiedRequest(
    string Method,
    string PathAndQuery,
    IReadOnlyDictionary<string, string> Headers,
    string? ContentType,
    ReadOnlyMemory<byte> Body)
{
    /// <summary>The path without the query string.</summary>
    public string Path => PathAndQuery.Split('?', 2)[0];

    public string BodyText => Encoding.UTF8.GetString(Body.Span);
}
