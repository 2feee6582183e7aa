using Microsoft.AspNetCore.Http.HttpResults;
using ServerlessCreds.Common;
using ServerlessCreds.Host.Http;
using ServerlessCreds.Scopes;

namespace ServerlessCreds.Host.Api;

public sealed record CreateScopeRequest(string? Name, string? DisplayName = null, string? Description = null);

public sealed record ScopeResponse(string Name, string DisplayName, string Description, bool BuiltIn)
{
    public static ScopeResponse From(Scope scope) => new(scope.Name, scope.DisplayName, scope.Description, scope.BuiltIn);
}

public static class ScopeEndpoints
{
    public static IEndpointRouteBuilder MapScopes(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/scopes").WithTags("Scope catalog").RequireAuthorization()
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesUnavailable();
        group.MapGet("", ListScopes).WithName(nameof(ListScopes))
            .ProducesValidationProblem();
        group.MapPost("", CreateScope).WithName(nameof(CreateScope)).RequirePlatformAdmin().WithIdempotency().ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesBodyProblems().WithLocation(StatusCodes.Status201Created).WithETag(StatusCodes.Status201Created);
        return routes;
    }

    static async Task<Ok<ItemsResponse<ScopeResponse>>> ListScopes(int? pageSize, string? continuationToken, ScopeService scopes, CancellationToken cancellationToken)
    {
        var page = await scopes.ListAsync(PageRequest.Create(pageSize, continuationToken), cancellationToken);
        return TypedResults.Ok(new ItemsResponse<ScopeResponse>(page.Items.Select(ScopeResponse.From).ToList(), page.ContinuationToken));
    }

    static async Task<Created<ScopeResponse>> CreateScope(CreateScopeRequest request, ScopeService scopes, HttpContext context, CancellationToken cancellationToken)
    {
        var scope = await scopes.AddAsync(new NewScope(request.Name, request.DisplayName, request.Description), context.GetAuditContext(), cancellationToken);
        context.Response.SetETag(scope.Version!);
        return TypedResults.Created($"/api/scopes/{scope.Name}", ScopeResponse.From(scope));
    }
}
