using ServerlessCreds.Common;

namespace ServerlessCreds.ExternalApplications;

/// <summary>A vendor-published application that business units can authorize.</summary>
public sealed record ExternalApplication(
    string Id,
    string VendorName,
    string ApplicationName,
    string Description,
    IReadOnlyList<string> Scopes,
    IReadOnlyList<string> CallbackUrls)
{
    /// <summary>Opaque concurrency token of the stored row; empty before the first write.</summary>
    public string Version { get; init; } = "";
}

public interface IExternalApplicationCatalog
{
    /// <summary>A page of the catalog in creation order; the continuation token is opaque to callers.</summary>
    Task<Page<ExternalApplication>> ListAsync(PageRequest page, CancellationToken cancellationToken);

    Task<ExternalApplication?> FindAsync(string id, CancellationToken cancellationToken);

    /// <summary>Stores a new entry; returns its version.</summary>
    Task<string> AddAsync(ExternalApplication application, CancellationToken cancellationToken);
}
