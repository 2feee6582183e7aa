namespace ServerlessCreds.Common;

/// <summary>An external dependency (storage, vault, queue, email) could not serve a request after retries.</summary>
public sealed class DependencyUnavailableException(string dependency, Exception? innerException = null)
    : Exception($"The {dependency} is unavailable.", innerException)
{
    public string Dependency { get; } = dependency;

    /// <summary>How long the dependency asked us to wait (a throttle's Retry-After), when it said.</summary>
    public TimeSpan? RetryAfter { get; init; }
}
