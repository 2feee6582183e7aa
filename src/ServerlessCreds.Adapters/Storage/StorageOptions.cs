namespace ServerlessCreds.Adapters.Storage;

/// <summary>
/// Storage connection, read from the same <c>AzureWebJobsStorage</c> settings the Functions host uses: a connection string
/// as the section's value, or identity-based keys (<c>AzureWebJobsStorage__accountName</c>, <c>__tableServiceUri</c>,
/// <c>__queueServiceUri</c>, <c>__clientId</c>).
/// </summary>
public sealed class StorageOptions
{
    public const string SectionName = "AzureWebJobsStorage";

    public string? ConnectionString { get; set; }
    public string? AccountName { get; set; }
    public Uri? TableServiceUri { get; set; }
    public Uri? QueueServiceUri { get; set; }

    /// <summary>Client id of the user-assigned managed identity; empty uses DefaultAzureCredential.</summary>
    public string? ClientId { get; set; }

    public bool IsValid =>
        !string.IsNullOrWhiteSpace(ConnectionString) || !string.IsNullOrWhiteSpace(AccountName) || (TableServiceUri is not null && QueueServiceUri is not null);
}
