using Azure.Core;
using Azure.Core.Pipeline;

namespace ServerlessCreds.Adapters.Storage;

/// <summary>
/// Where the table and queue services live and how to authenticate to them: a shared key from a connection string
/// (Azurite, local development) or a <see cref="TokenCredential"/> (managed identity in Azure).
/// </summary>
public sealed class StorageAccount
{
    /// <summary>The emulator's well-known public account; it only works against Azurite.</summary>
    public const string DevelopmentAccountName = "devstoreaccount1";

    /// <summary>The emulator's well-known public key (documented by Microsoft; not a secret).</summary>
    public const string DevelopmentAccountKey =
        "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private const string StorageScope = "https://storage.azure.com/.default";

    // Both policy kinds are thread-safe, so every pipeline of this account shares them (and the bearer token cache).
    private readonly HttpPipelinePolicy _tableAuthentication;
    private readonly HttpPipelinePolicy _queueAuthentication;

    /// <summary>An account reached with Microsoft Entra ID tokens (scope <c>https://storage.azure.com/.default</c>).</summary>
    public StorageAccount(Uri tableServiceUri, Uri queueServiceUri, TokenCredential credential)
    {
        ArgumentNullException.ThrowIfNull(tableServiceUri);
        ArgumentNullException.ThrowIfNull(queueServiceUri);
        ArgumentNullException.ThrowIfNull(credential);
        TableServiceUri = WithoutTrailingSlash(tableServiceUri);
        QueueServiceUri = WithoutTrailingSlash(queueServiceUri);
        _tableAuthentication = _queueAuthentication = new BearerTokenAuthenticationPolicy(credential, StorageScope);
    }

    private StorageAccount(Uri tableServiceUri, Uri queueServiceUri, StorageSharedKey sharedKey)
    {
        TableServiceUri = WithoutTrailingSlash(tableServiceUri);
        QueueServiceUri = WithoutTrailingSlash(queueServiceUri);
        _tableAuthentication = new TableSharedKeyLitePolicy(sharedKey);
        _queueAuthentication = new QueueSharedKeyPolicy(sharedKey);
    }

    public Uri TableServiceUri { get; }

    public Uri QueueServiceUri { get; }

    /// <summary>
    /// Parses <c>UseDevelopmentStorage=true</c> or the explicit form
    /// (<c>DefaultEndpointsProtocol</c>, <c>AccountName</c>, <c>AccountKey</c>, <c>TableEndpoint</c>, <c>QueueEndpoint</c>, <c>EndpointSuffix</c>).
    /// Errors name the missing or invalid setting, never the connection string itself.
    /// </summary>
    public static StorageAccount Parse(string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        var settings = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var segment in connectionString.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = segment.Split('=', 2, StringSplitOptions.TrimEntries);
            if (parts.Length != 2 || parts[0].Length == 0)
            {
                throw new FormatException("The storage connection string has a segment that is not 'name=value'.");
            }

            settings[parts[0]] = parts[1];
        }

        if (settings.TryGetValue("UseDevelopmentStorage", out var development) && bool.TryParse(development, out var useDevelopment) && useDevelopment)
        {
            return new StorageAccount(
                new Uri($"http://127.0.0.1:10002/{DevelopmentAccountName}"),
                new Uri($"http://127.0.0.1:10001/{DevelopmentAccountName}"),
                new StorageSharedKey(DevelopmentAccountName, Convert.FromBase64String(DevelopmentAccountKey)));
        }

        if (settings.ContainsKey("SharedAccessSignature"))
        {
            throw new FormatException("SharedAccessSignature storage connection strings are not supported; use an account key or a managed identity.");
        }

        var accountName = Required(settings, "AccountName");
        var encodedKey = Required(settings, "AccountKey");
        var key = new byte[encodedKey.Length * 3 / 4];
        if (!Convert.TryFromBase64String(encodedKey, key, out var keyLength))
        {
            throw new FormatException("The storage connection string's AccountKey is not valid base64.");
        }

        var protocol = settings.GetValueOrDefault("DefaultEndpointsProtocol", "https");
        var suffix = settings.GetValueOrDefault("EndpointSuffix", "core.windows.net");
        return new StorageAccount(
            Endpoint(settings, "TableEndpoint", $"{protocol}://{accountName}.table.{suffix}"),
            Endpoint(settings, "QueueEndpoint", $"{protocol}://{accountName}.queue.{suffix}"),
            new StorageSharedKey(accountName, key[..keyLength]));
    }

    /// <summary>Builds the pipeline for the Table service: retries from <paramref name="options"/>, then date and signature on every attempt.</summary>
    public HttpPipeline CreateTablePipeline(StorageClientOptions? options = null) => CreatePipeline(options, _tableAuthentication);

    /// <summary>Builds the pipeline for the Queue service: retries from <paramref name="options"/>, then date and signature on every attempt.</summary>
    public HttpPipeline CreateQueuePipeline(StorageClientOptions? options = null) => CreatePipeline(options, _queueAuthentication);

    public override string ToString() =>
        $"Storage account (tables {TableServiceUri}, queues {QueueServiceUri}, {(_tableAuthentication is BearerTokenAuthenticationPolicy ? "token credential" : "shared key")})";

    private static HttpPipeline CreatePipeline(StorageClientOptions? options, HttpPipelinePolicy authentication) =>
        HttpPipelineBuilder.Build(
            options ?? new StorageClientOptions(),
            perCallPolicies: [],
            perRetryPolicies: [new StorageDatePolicy(), authentication],
            responseClassifier: new ResponseClassifier());

    private static string Required(Dictionary<string, string> settings, string name) =>
        settings.TryGetValue(name, out var value) && value.Length > 0
            ? value
            : throw new FormatException($"The storage connection string has no {name}.");

    private static Uri Endpoint(Dictionary<string, string> settings, string name, string fallback)
    {
        var value = settings.GetValueOrDefault(name, fallback);
        return Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            ? uri
            : throw new FormatException($"The storage connection string's {name} is not an absolute http(s) URL.");
    }

    private static Uri WithoutTrailingSlash(Uri uri) => new(uri.AbsoluteUri.TrimEnd('/'));
}
