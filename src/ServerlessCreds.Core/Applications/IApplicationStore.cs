using ServerlessCreds.Common;

namespace ServerlessCreds.Applications;

/// <summary>Persistence for applications, partitioned by business unit.</summary>
public interface IApplicationStore
{
    /// <summary>Lists a business unit's applications in creation order; the continuation token is opaque to callers.</summary>
    Task<Page<Application>> ListAsync(string businessUnit, PageRequest page, CancellationToken cancellationToken);

    Task<Application?> FindAsync(string businessUnit, string id, CancellationToken cancellationToken);

    /// <summary>Stores a new application and returns it with its version.</summary>
    Task<Application> AddAsync(Application application, CancellationToken cancellationToken);

    /// <summary>Replaces the application if its stored version still equals <see cref="Application.Version"/>; otherwise throws a version mismatch.</summary>
    Task<Application> UpdateAsync(Application application, CancellationToken cancellationToken);

    /// <summary>Deletes the application if its stored version still equals <see cref="Application.Version"/>.</summary>
    Task DeleteAsync(Application application, CancellationToken cancellationToken);
}

/// <summary>Global register of issued client ids; entries are never removed, so an id is never issued twice.</summary>
public interface IClientIdRegistry
{
    /// <summary>Records the client id for the application; false when it was issued before.</summary>
    Task<bool> TryReserveAsync(string clientId, string businessUnit, string applicationId, CancellationToken cancellationToken);
}
