namespace ServerlessCreds.Adapters.Tables;

/// <summary>
/// A table row: keys, concurrency ETag, service timestamp and a bag of typed properties. Property values may be
/// string, bool, int, long, double, DateTimeOffset, Guid or byte[] (the EDM types); null values are not written.
/// </summary>
public sealed class TableEntity(string partitionKey, string rowKey)
{
    private static readonly HashSet<string> ReservedNames = ["PartitionKey", "RowKey", "Timestamp", "odata.etag"];

    private readonly Dictionary<string, object?> _properties = new(StringComparer.Ordinal);

    public string PartitionKey { get; set; } = partitionKey;

    public string RowKey { get; set; } = rowKey;

    /// <summary>The service's opaque version of the row; pass it back as <c>ifMatch</c> for a conditional write.</summary>
    public string? ETag { get; set; }

    /// <summary>Set by the service on every write; ignored when writing.</summary>
    public DateTimeOffset? Timestamp { get; set; }

    public IReadOnlyDictionary<string, object?> Properties => _properties;

    public object? this[string name]
    {
        get => _properties.GetValueOrDefault(name);
        set
        {
            ArgumentException.ThrowIfNullOrEmpty(name);
            if (ReservedNames.Contains(name))
            {
                throw new ArgumentException($"'{name}' is a system property; use the entity's own member.", nameof(name));
            }

            if (value is not (null or string or bool or int or long or double or DateTimeOffset or Guid or byte[]))
            {
                throw new ArgumentException($"Property '{name}' has type {value.GetType().Name}, which is not a supported table type.", nameof(value));
            }

            _properties[name] = value;
        }
    }

    public bool Remove(string name) => _properties.Remove(name);

    public string? GetString(string name) => GetReference<string>(name);

    public bool? GetBoolean(string name) => GetValue<bool>(name);

    public int? GetInt32(string name) => GetValue<int>(name);

    public long? GetInt64(string name) => GetValue<long>(name);

    public double? GetDouble(string name) => GetValue<double>(name);

    public DateTimeOffset? GetDateTimeOffset(string name) => GetValue<DateTimeOffset>(name);

    public Guid? GetGuid(string name) => GetValue<Guid>(name);

    public byte[]? GetBinary(string name) => GetReference<byte[]>(name);

    private T? GetValue<T>(string name) where T : struct => _properties.GetValueOrDefault(name) switch
    {
        null => null,
        T value => value,
        var other => throw TypeMismatch<T>(name, other),
    };

    private T? GetReference<T>(string name) where T : class => _properties.GetValueOrDefault(name) switch
    {
        null => null,
        T value => value,
        var other => throw TypeMismatch<T>(name, other),
    };

    private static InvalidOperationException TypeMismatch<T>(string name, object value) =>
        new($"Property '{name}' is {value.GetType().Name}, not {typeof(T).Name}.");
}
