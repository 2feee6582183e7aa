namespace ServerlessCreds.Testing.Azurite;

/// <summary>Unique, valid table and queue names so tests sharing one Azurite never collide.</summary>
public static class StorageNames
{
    /// <summary>A table name: <paramref name="prefix"/> (letters, starting with one) plus 32 hex digits.</summary>
    public static string UniqueTable(string prefix = "test") => $"{prefix}{Guid.NewGuid():N}";

    /// <summary>A queue name: lower-cased <paramref name="prefix"/>, a hyphen and 32 hex digits.</summary>
    public static string UniqueQueue(string prefix = "test") => $"{prefix.ToLowerInvariant()}-{Guid.NewGuid():N}";
}
