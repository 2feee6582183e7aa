namespace ServerlessCreds.Adapters.Tables;

/// <summary>The tables this service owns, created once at start rather than per request.</summary>
public sealed class StorageTables(Func<string, TableClient> open)
{
    public TableClient Applications { get; } = open("Applications");
    public TableClient ClientIds { get; } = open("ClientIds");
    public TableClient Scopes { get; } = open("Scopes");
    public TableClient ExternalApplications { get; } = open("ExternalApplications");
    public TableClient Deliveries { get; } = open("Deliveries");
    public TableClient SecretLinks { get; } = open("SecretLinks");
    public TableClient Idempotency { get; } = open("Idempotency");
    public TableClient Audit { get; } = open("Audit");

    public IEnumerable<TableClient> All => [Applications, ClientIds, Scopes, ExternalApplications, Deliveries, SecretLinks, Idempotency, Audit];

    /// <summary>Creates the missing tables, all at once: one round trip of latency.</summary>
    public Task CreateIfNotExistsAsync(CancellationToken cancellationToken) =>
        Task.WhenAll(All.Select(table => table.CreateIfNotExistsAsync(cancellationToken)));
}
