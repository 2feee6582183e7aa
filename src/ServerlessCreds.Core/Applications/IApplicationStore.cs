using ServerlessCreds.Common;
using ServerlessCreds.Credentials;

namespace ServerlessCreds.Applications;

/// <summary>Persistence for applications, partitioned by business unit.</summary>
public interface IApplicationStore
{
    /// <summary>Lists a business unit's applications in creation order; the continuation token is opaque to callers.</summary>
    Task<Page<Application>> ListAsync(string businessUnit, PageRequest page, CancellationToken cancellationToken);

    Task<Application?> FindAsync(string businessUnit, string id, CancellationToken cancellationToken);

    /// <summary>Stores a new application together with its first secret's metadata, atomically; returns it with its version.</summary>
    Task<Application> AddAsync(Application application, ClientSecret firstSecret, CancellationToken cancellationToken);

    /// <summary>Replaces the application if its stored version still equals <see cref="Application.Version"/>; otherwise throws a version mismatch.</summary>
    Task<Application> UpdateAsync(Application application, CancellationToken cancellationToken);

    /// <summary>Deletes the application and the metadata of <paramref name="secrets"/> (its secrets, as listed) if its stored version still equals <see cref="Application.Version"/>.</summary>
    Task DeleteAsync(Application application, IReadOnlyList<ClientSecret> secrets, CancellationToken cancellationToken);

    Task<IReadOnlyList<ClientSecret>> ListSecretsAsync(Application application, CancellationToken cancellationToken);

    /// <summary>A page of the application's secrets' metadata in creation order, read together with the application; null when there is no such application.</summary>
    Task<Page<ClientSecret>?> FindSecretPageAsync(string businessUnit, string applicationId, PageRequest page, CancellationToken cancellationToken);

    /// <summary>
    /// The application and its secrets' metadata, read at once (one round trip of latency); null when there is no such
    /// application. The two reads are not one snapshot: a write conditional on the version must not rely on the secrets.
    /// </summary>
    Task<(Application Application, IReadOnlyList<ClientSecret> Secrets)?> FindWithSecretsAsync(string businessUnit, string id, CancellationToken cancellationToken);

    /// <summary>Records a new secret and the application's new state in one atomic write, conditional on <see cref="Application.Version"/>.</summary>
    Task<Application> AddSecretAsync(Application application, ClientSecret secret, CancellationToken cancellationToken);

    /// <summary>Replaces the secret's metadata, whatever its version; throws a version mismatch when its row is gone (its application was deleted).</summary>
    Task UpdateSecretAsync(ClientSecret secret, CancellationToken cancellationToken);

    /// <summary>Sets only the secret's retired flag, keeping whatever else was stored since it was read; a secret whose application is gone needs nothing.</summary>
    Task MarkSecretRetiredAsync(ClientSecret secret, CancellationToken cancellationToken);

    /// <summary>Secrets of every business unit that expired before <paramref name="now"/> and were neither revoked nor retired yet.</summary>
    Task<IReadOnlyList<ClientSecret>> ListExpiredUnretiredSecretsAsync(DateTimeOffset now, CancellationToken cancellationToken);
}

/// <summary>Global register of issued client ids; entries are never removed, so an id is never issued twice.</summary>
public interface IClientIdRegistry
{
    /// <summary>Records the client id for the application; false when it was issued before.</summary>
    Task<bool> TryReserveAsync(string clientId, string businessUnit, string applicationId, CancellationToken cancellationToken);
}
