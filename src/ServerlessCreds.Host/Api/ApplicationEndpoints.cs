using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using ServerlessCreds.Applications;
using ServerlessCreds.Callers;
using ServerlessCreds.Common;
using ServerlessCreds.Host.Http;

namespace ServerlessCreds.Host.Api;

public sealed record CreateApplicationRequest(
    string? Kind,
    string? ExternalApplicationId,
    string? VendorName,
    string? ApplicationName,
    IReadOnlyList<string?>? Scopes,
    IReadOnlyList<string?>? CallbackUrls);

public sealed record UpdateApplicationRequest(string? VendorName, string? ApplicationName, IReadOnlyList<string?>? CallbackUrls, bool? Enabled);

public sealed record ApplicationResponse(
    string Id,
    string Kind,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ExternalApplicationId,
    string VendorName,
    string ApplicationName,
    IReadOnlyList<string> Scopes,
    IReadOnlyList<string> CallbackUrls,
    string ClientId,
    bool Enabled,
    DateTimeOffset CreatedAt,
    string CreatedBy,
    DateTimeOffset UpdatedAt)
{
    public static ApplicationResponse From(Application a) =>
        new(a.Id, a.Kind == ApplicationKind.Internal ? "internal" : "external", a.ExternalApplicationId, a.VendorName, a.ApplicationName,
            a.Scopes, a.CallbackUrls, a.ClientId, a.Enabled, a.CreatedAt, a.CreatedBy, a.UpdatedAt);
}

public static class ApplicationEndpoints
{
    public static IEndpointRouteBuilder MapApplications(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/business-units/{bu}/applications").WithTags("Applications").RequireAuthorization();
        group.MapGet("", ListApplications).WithName(nameof(ListApplications)).RequireBusinessUnitRole(Roles.View);
        group.MapPost("", CreateApplication).WithName(nameof(CreateApplication)).RequireBusinessUnitRole(Roles.Create);
        group.MapGet("/{id}", GetApplication).WithName(nameof(GetApplication)).RequireBusinessUnitRole(Roles.View);
        group.MapPatch("/{id}", UpdateApplication).WithName(nameof(UpdateApplication)).RequireBusinessUnitRole(Roles.Edit);
        group.MapDelete("/{id}", DeleteApplication).WithName(nameof(DeleteApplication)).RequireBusinessUnitRole(Roles.Delete);
        group.MapPut("/{id}/scopes/{scope}", AddApplicationScope).WithName(nameof(AddApplicationScope)).RequireBusinessUnitRole(Roles.Edit);
        group.MapDelete("/{id}/scopes/{scope}", RemoveApplicationScope).WithName(nameof(RemoveApplicationScope)).RequireBusinessUnitRole(Roles.Edit);
        return routes;
    }

    static async Task<Ok<ItemsResponse<ApplicationResponse>>> ListApplications(
        string bu, int? pageSize, string? continuationToken, ApplicationService applications, CancellationToken cancellationToken)
    {
        var page = await applications.ListAsync(bu, PageRequest.Create(pageSize, continuationToken), cancellationToken);
        return TypedResults.Ok(new ItemsResponse<ApplicationResponse>(page.Items.Select(ApplicationResponse.From).ToList(), page.ContinuationToken));
    }

    static async Task<Created<ApplicationResponse>> CreateApplication(
        string bu, CreateApplicationRequest request, ApplicationService applications, HttpContext context, CancellationToken cancellationToken)
    {
        var created = await applications.CreateAsync(
            bu,
            new NewApplication(request.Kind, request.ExternalApplicationId, request.VendorName, request.ApplicationName, request.Scopes, request.CallbackUrls),
            context.GetCaller(),
            cancellationToken);
        context.Response.SetETag(created.Version);
        return TypedResults.Created($"/api/business-units/{bu}/applications/{created.Id}", ApplicationResponse.From(created));
    }

    static async Task<Results<Ok<ApplicationResponse>, ProblemHttpResult>> GetApplication(
        string bu, string id, ApplicationService applications, HttpContext context, CancellationToken cancellationToken) =>
        Found(context, await applications.FindAsync(bu, id, cancellationToken));

    static async Task<Results<Ok<ApplicationResponse>, ProblemHttpResult>> UpdateApplication(
        string bu, string id, UpdateApplicationRequest request, ApplicationService applications, HttpContext context, CancellationToken cancellationToken)
    {
        var changes = new ApplicationChanges(request.VendorName, request.ApplicationName, request.CallbackUrls, request.Enabled);
        return Found(context, await applications.UpdateAsync(bu, id, changes, context.Request.IfMatchVersion(), cancellationToken));
    }

    static async Task<Results<NoContent, ProblemHttpResult>> DeleteApplication(
        string bu, string id, ApplicationService applications, CancellationToken cancellationToken) =>
        await applications.DeleteAsync(bu, id, cancellationToken) ? TypedResults.NoContent() : Problems.NotFound("application");

    static async Task<Results<Ok<ApplicationResponse>, ProblemHttpResult>> AddApplicationScope(
        string bu, string id, string scope, ApplicationService applications, HttpContext context, CancellationToken cancellationToken) =>
        Found(context, await applications.AddScopeAsync(bu, id, scope, cancellationToken));

    static async Task<Results<Ok<ApplicationResponse>, ProblemHttpResult>> RemoveApplicationScope(
        string bu, string id, string scope, ApplicationService applications, HttpContext context, CancellationToken cancellationToken) =>
        Found(context, await applications.RemoveScopeAsync(bu, id, scope, cancellationToken));

    static Results<Ok<ApplicationResponse>, ProblemHttpResult> Found(HttpContext context, Application? application)
    {
        if (application is null)
        {
            return Problems.NotFound("application");
        }

        context.Response.SetETag(application.Version);
        return TypedResults.Ok(ApplicationResponse.From(application));
    }
}
