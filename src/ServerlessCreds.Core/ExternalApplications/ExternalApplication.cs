namespace ServerlessCreds.ExternalApplications;

/// <summary>A vendor-published application that business units can authorize.</summary>
public sealed record ExternalApplication(
    string Id,
    string VendorName,
    string ApplicationName,
    string Description,
    IReadOnlyList<string> Scopes,
    IReadOnlyList<string> CallbackUrls);

public interface IExternalApplicationCatalog
{
    Task<IReadOnlyList<ExternalApplication>> ListAsync(CancellationToken cancellationToken);

    Task<ExternalApplication?> FindAsync(string id, CancellationToken cancellationToken);

    Task AddAsync(ExternalApplication application, CancellationToken cancellationToken);
}
