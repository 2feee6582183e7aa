using Microsoft.AspNetCore.Http.HttpResults;
using ServerlessCreds.Common;

namespace ServerlessCreds.Host.Api;

public static class HealthEndpoints
{
    static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(3);

    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/api/health", GetHealth).WithName(nameof(GetHealth)).WithTags("Health").AllowAnonymous()
            .Produces<HealthResponse>(StatusCodes.Status503ServiceUnavailable);
        return routes;
    }

    static async Task<Results<Ok<HealthResponse>, JsonHttpResult<HealthResponse>>> GetHealth(IEnumerable<IHealthProbe> probes, CancellationToken cancellationToken)
    {
        var results = await Task.WhenAll(probes.Select(async probe => (probe.Name, Reachable: await ProbeAsync(probe, cancellationToken))));
        var body = new HealthResponse(
            results.All(r => r.Reachable) ? "ok" : "unavailable",
            results.ToDictionary(r => r.Name, r => r.Reachable ? "ok" : "unreachable"));
        return body.Status == "ok" ? TypedResults.Ok(body) : TypedResults.Json(body, ApiJsonContext.Default.HealthResponse, statusCode: StatusCodes.Status503ServiceUnavailable);
    }

    static async Task<bool> ProbeAsync(IHealthProbe probe, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ProbeTimeout);
        try
        {
            return await probe.IsReachableAsync(timeout.Token);
        }
        catch (Exception e) when (e is DependencyUnavailableException or OperationCanceledException)
        {
            return false;
        }
    }
}
