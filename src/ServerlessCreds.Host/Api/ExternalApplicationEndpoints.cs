using Microsoft.AspNetCore.Http.HttpResults;
using ServerlessCreds.Common;
using ServerlessCreds.ExternalApplications;
using ServerlessCreds.Host.Http;

namespace ServerlessCreds.Host.Api;

public sealed record CreateExternalApplicationRequest(
    string? VendorName, string? ApplicationName, IReadOnlyList<string?>? Scopes, string? Description = null, IReadOnlyList<string?>? CallbackUrls = null);

public sealed record ExternalApplicationResponse(
    string Id, string VendorName, string ApplicationName, string Description, IReadOnlyList<string> Scopes, IReadOnlyList<string> CallbackUrls)
{
    public static ExternalApplicationResponse From(ExternalApplication a) =>
        new(a.Id, a.VendorName, a.ApplicationName, a.Description, a.Scopes, a.CallbackUrls);
}

public static class ExternalApplicationEndpoints
{
    public static IEndpointRouteBuilder MapExternalApplications(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/external-applications").WithTags("External application catalog").RequireAuthorization()
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesUnavailable();
        group.MapGet("", ListExternalApplications).WithName(nameof(ListExternalApplications))
            .ProducesValidationProblem();
        group.MapPost("", CreateExternalApplication).WithName(nameof(CreateExternalApplication)).RequirePlatformAdmin().WithIdempotency()
            .ProducesBodyProblems().WithLocation(StatusCodes.Status201Created).WithETag(StatusCodes.Status201Created);
        return routes;
    }

    static async Task<Ok<ItemsResponse<ExternalApplicationResponse>>> ListExternalApplications(
        int? pageSize, string? continuationToken, ExternalApplicationService catalog, CancellationToken cancellationToken)
    {
        var page = await catalog.ListAsync(PageRequest.Create(pageSize, continuationToken), cancellationToken);
        return TypedResults.Ok(new ItemsResponse<ExternalApplicationResponse>(page.Items.Select(ExternalApplicationResponse.From).ToList(), page.ContinuationToken));
    }

    static async Task<Created<ExternalApplicationResponse>> CreateExternalApplication(
        CreateExternalApplicationRequest request, ExternalApplicationService catalog, HttpContext context, CancellationToken cancellationToken)
    {
        var added = await catalog.AddAsync(
            new NewExternalApplication(request.VendorName, request.ApplicationName, request.Description, request.Scopes, request.CallbackUrls),
            context.GetAuditContext(),
            cancellationToken);
        context.Response.SetETag(added.Version);
        return TypedResults.Created($"/api/external-applications/{added.Id}", ExternalApplicationResponse.From(added));
    }
}
