using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using ServerlessCreds.Applications;
using ServerlessCreds.Callers;
using ServerlessCreds.Common;
using ServerlessCreds.Host.Http;

namespace ServerlessCreds.Host.Api;

public sealed record CreateApplicationRequest(
    string? Kind,
    string? ExternalApplicationId = null,
    string? VendorName = null,
    string? ApplicationName = null,
    IReadOnlyList<string?>? Scopes = null,
    IReadOnlyList<string?>? CallbackUrls = null);

public sealed record UpdateApplicationRequest(
    string? VendorName = null, string? ApplicationName = null, IReadOnlyList<string?>? CallbackUrls = null, bool? Enabled = null);

public record ApplicationResponse(Application Application)
{
    public string Id => Application.Id;
    public string Kind => Application.Kind == ApplicationKind.Internal ? "internal" : "external";

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ExternalApplicationId => Application.ExternalApplicationId;

    public string VendorName => Application.VendorName;
    public string ApplicationName => Application.ApplicationName;
    public IReadOnlyList<string> Scopes => Application.Scopes;
    public IReadOnlyList<string> CallbackUrls => Application.CallbackUrls;
    public string ClientId => Application.ClientId;
    public bool Enabled => Application.Enabled;
    public DateTimeOffset CreatedAt => Application.CreatedAt;
    public string CreatedBy => Application.CreatedBy;
    public DateTimeOffset UpdatedAt => Application.UpdatedAt;

    [JsonIgnore]
    public Application Application { get; } = Application;
}

/// <summary>The create response: the only one that ever carries a secret value.</summary>
public sealed record CreatedApplicationResponse(CreatedApplication Created) : ApplicationResponse(Created.Application)
{
    public string ClientSecret => Created.Secret.Value;

    // Records print every property, computed ones too: leave the value out.
    public override string ToString() => $"CreatedApplicationResponse {{ Id = {Created.Application.Id}, SecretId = {SecretId} }}";
    public string SecretId => Created.Secret.Metadata.SecretId;

    [JsonIgnore]
    public CreatedApplication Created { get; } = Created;
}

public static class ApplicationEndpoints
{
    const string DeleteApplicationDescription = """
        Disables the application's secrets in the vault, then removes the application and its secrets' metadata in one
        write conditional on the version it read. The delete takes no `If-Match`: when a change lands in between (a
        rotation, a `PATCH`, a scope change), it reads the application again and retries, up to 3 times; 204 when the
        application is gone by then (another delete won, or this one's write was applied and its answer lost). 409 when
        it changed during every try: the application stays, and the secrets the delete had already disabled no longer work
        and read `revoked` (audited as `secret.revoked`); if storage fails at that point too, they read `active` until a
        retried `DELETE` finishes.
        """;

    const string UpdateApplicationDescription = """
        Members left out (or `null`) keep their value. On an external application `vendorName`, `applicationName` and
        `callbackUrls` come from the external-application catalog: sending them gets 400 naming them; `enabled` can change.
        With `If-Match` the change applies only to that version, else 412; without it, a change that lands between this
        request's read and its write also gets 412: read the application again and retry.
        """;

    const string AddApplicationScopeDescription = """
        Adds a catalog scope (matched case-insensitively). Idempotent: 200 with the application unchanged when it already has
        it. 400 when the scope is not in the catalog or the application already has 20. 412 when the application changed
        while the scope was being added: retry.
        """;

    const string RemoveApplicationScopeDescription = """
        Removes a scope (matched case-insensitively): 200 with the application unchanged when it does not have it, 400 when it
        is the application's last scope. 412 when the application changed while the scope was being removed: retry.
        """;

    public static IEndpointRouteBuilder MapApplications(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/business-units/{bu}/applications").WithTags("Applications").RequireAuthorization()
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesNotFound().ProducesUnavailable();
        group.MapGet("", ListApplications).WithName(nameof(ListApplications)).RequireBusinessUnitRole(Roles.View)
            .ProducesValidationProblem();
        group.MapPost("", CreateApplication).WithName(nameof(CreateApplication)).RequireBusinessUnitRole(Roles.Create).WithIdempotency()
            .ProducesBodyProblems().WithLocation(StatusCodes.Status201Created).WithETag(StatusCodes.Status201Created);
        group.MapGet("/{id}", GetApplication).WithName(nameof(GetApplication)).RequireBusinessUnitRole(Roles.View)
            .WithETag(StatusCodes.Status200OK);
        group.MapPatch("/{id}", UpdateApplication).WithName(nameof(UpdateApplication)).RequireBusinessUnitRole(Roles.Edit)
            .WithDescription(UpdateApplicationDescription).ProducesBodyProblems().AcceptsIfMatch().WithETag(StatusCodes.Status200OK);
        group.MapDelete("/{id}", DeleteApplication).WithName(nameof(DeleteApplication)).RequireBusinessUnitRole(Roles.Delete)
            .WithSummary("Deletes the application; its secrets stop working and its open one-time links die.")
            .WithDescription(DeleteApplicationDescription).ProducesProblem(StatusCodes.Status409Conflict);
        group.MapPut("/{id}/scopes/{scope}", AddApplicationScope).WithName(nameof(AddApplicationScope)).RequireBusinessUnitRole(Roles.Edit)
            .WithDescription(AddApplicationScopeDescription).ProducesScopeChangeProblems().WithETag(StatusCodes.Status200OK);
        group.MapDelete("/{id}/scopes/{scope}", RemoveApplicationScope).WithName(nameof(RemoveApplicationScope)).RequireBusinessUnitRole(Roles.Edit)
            .WithDescription(RemoveApplicationScopeDescription).ProducesScopeChangeProblems().WithETag(StatusCodes.Status200OK);
        return routes;
    }

    static async Task<Ok<ItemsResponse<ApplicationResponse>>> ListApplications(
        string bu, int? pageSize, string? continuationToken, ApplicationService applications, CancellationToken cancellationToken)
    {
        var page = await applications.ListAsync(bu, PageRequest.Create(pageSize, continuationToken), cancellationToken);
        return TypedResults.Ok(new ItemsResponse<ApplicationResponse>(page.Items.Select(a => new ApplicationResponse(a)).ToList(), page.ContinuationToken));
    }

    static async Task<Created<CreatedApplicationResponse>> CreateApplication(
        string bu, CreateApplicationRequest request, ApplicationService applications, HttpContext context, CancellationToken cancellationToken)
    {
        var created = await applications.CreateAsync(
            bu,
            new NewApplication(request.Kind, request.ExternalApplicationId, request.VendorName, request.ApplicationName, request.Scopes, request.CallbackUrls),
            context.GetAuditContext(),
            cancellationToken);
        context.Response.SetETag(created.Application.Version);
        context.Response.Headers.CacheControl = "no-store";
        return TypedResults.Created($"/api/business-units/{bu}/applications/{created.Application.Id}", new CreatedApplicationResponse(created));
    }

    static async Task<Results<Ok<ApplicationResponse>, ProblemHttpResult>> GetApplication(
        string bu, string id, ApplicationService applications, HttpContext context, CancellationToken cancellationToken) =>
        Found(context, await applications.FindAsync(bu, id, cancellationToken));

    static async Task<Results<Ok<ApplicationResponse>, ProblemHttpResult>> UpdateApplication(
        string bu, string id, UpdateApplicationRequest request, ApplicationService applications, HttpContext context, CancellationToken cancellationToken)
    {
        var changes = new ApplicationChanges(request.VendorName, request.ApplicationName, request.CallbackUrls, request.Enabled);
        return Found(context, await applications.UpdateAsync(bu, id, changes, context.Request.IfMatchVersions(), context.GetAuditContext(), cancellationToken));
    }

    static async Task<Results<NoContent, ProblemHttpResult>> DeleteApplication(
        string bu, string id, ApplicationService applications, HttpContext context, CancellationToken cancellationToken) =>
        await applications.DeleteAsync(bu, id, context.GetAuditContext(), cancellationToken) ? TypedResults.NoContent() : Problems.NotFound("application");

    static async Task<Results<Ok<ApplicationResponse>, ProblemHttpResult>> AddApplicationScope(
        string bu, string id, string scope, ApplicationService applications, HttpContext context, CancellationToken cancellationToken) =>
        Found(context, await applications.AddScopeAsync(bu, id, scope, context.GetAuditContext(), cancellationToken));

    static async Task<Results<Ok<ApplicationResponse>, ProblemHttpResult>> RemoveApplicationScope(
        string bu, string id, string scope, ApplicationService applications, HttpContext context, CancellationToken cancellationToken) =>
        Found(context, await applications.RemoveScopeAsync(bu, id, scope, context.GetAuditContext(), cancellationToken));

    static Results<Ok<ApplicationResponse>, ProblemHttpResult> Found(HttpContext context, Application? application)
    {
        if (application is null)
        {
            return Problems.NotFound("application");
        }

        context.Response.SetETag(application.Version);
        return TypedResults.Ok(new ApplicationResponse(application));
    }
}
