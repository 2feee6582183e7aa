namespace ServerlessCreds.Adapters.Storage;

internal static class StorageQuery
{
    /// <summary>Decodes a query string the way the storage services do for signing: percent-decoding only ('+' stays '+').</summary>
    public static IEnumerable<(string Name, string Value)> Parse(string query) =>
        query.TrimStart('?')
            .Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair => pair.Split('=', 2))
            .Select(parts => (Uri.UnescapeDataString(parts[0]), parts.Length > 1 ? Uri.UnescapeDataString(parts[1]) : ""));
}
