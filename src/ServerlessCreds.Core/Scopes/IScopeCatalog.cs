namespace ServerlessCreds.Scopes;

/// <summary>Persistence for the platform-wide scope catalog. Names are unique case-insensitively.</summary>
public interface IScopeCatalog
{
    Task<IReadOnlyList<Scope>> ListAsync(CancellationToken cancellationToken);

    /// <summary>Adds the scope and returns its version; null when a scope with that name (any casing) exists.</summary>
    Task<string?> TryAddAsync(Scope scope, CancellationToken cancellationToken);
}
