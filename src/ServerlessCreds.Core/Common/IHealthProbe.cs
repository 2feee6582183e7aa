namespace ServerlessCreds.Common;

/// <summary>A cheap reachability check of one external dependency, for the health endpoint.</summary>
public interface IHealthProbe
{
    string Name { get; }

    Task<bool> IsReachableAsync(CancellationToken cancellationToken);
}
