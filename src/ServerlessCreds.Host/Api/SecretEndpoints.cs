using Microsoft.AspNetCore.Http.HttpResults;
using ServerlessCreds.Callers;
using ServerlessCreds.Common;
using ServerlessCreds.Credentials;
using ServerlessCreds.Host.Http;

namespace ServerlessCreds.Host.Api;

public sealed record CreateSecretRequest(int? ExpiresInDays = null);

public sealed record SecretResponse(string SecretId, string Hint, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt, string State)
{
    public static SecretResponse From(ClientSecret secret, DateTimeOffset now) =>
        new(secret.SecretId, secret.Hint, secret.CreatedAt, secret.ExpiresAt, secret.StateAt(now).ToString().ToLowerInvariant());
}

/// <summary>The rotation response: the only time this secret's value is shown.</summary>
public sealed record CreatedSecretResponse(string SecretId, string ClientSecret, string Hint, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt)
{
    public override string ToString() => $"CreatedSecretResponse {{ SecretId = {SecretId}, Hint = {Hint} }}";
}

public static class SecretEndpoints
{
    const string CreateSecretDescription = """
        `Location` points at the new secret, but the `ETag` is the application's: adding a secret changes the
        application's version, and this is the ETag a following `If-Match` on the application (a `PATCH`) needs. The body
        may be left out (`expiresInDays` then defaults to 365). 409 when the application already has 2 active secrets.
        """;

    public static IEndpointRouteBuilder MapSecrets(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/business-units/{bu}/applications/{id}/secrets").WithTags("Client secrets").RequireAuthorization()
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesNotFound().ProducesUnavailable();
        group.MapGet("", ListSecrets).WithName(nameof(ListSecrets)).RequireBusinessUnitRole(Roles.View)
            .ProducesValidationProblem();
        group.MapPost("", CreateSecret).WithName(nameof(CreateSecret)).RequireBusinessUnitRole(Roles.Edit).WithIdempotency()
            .WithSummary("Adds a secret to the application (rotation); its value is shown only in this response.")
            .WithDescription(CreateSecretDescription)
            .ProducesBodyProblems().WithLocation(StatusCodes.Status201Created).WithETag(StatusCodes.Status201Created);
        group.MapDelete("/{secretId}", RevokeSecret).WithName(nameof(RevokeSecret)).RequireBusinessUnitRole(Roles.Edit);
        return routes;
    }

    static async Task<Results<Ok<ItemsResponse<SecretResponse>>, ProblemHttpResult>> ListSecrets(
        string bu, string id, int? pageSize, string? continuationToken, CredentialService credentials, TimeProvider clock, CancellationToken cancellationToken)
    {
        var page = await credentials.ListAsync(bu, id, PageRequest.Create(pageSize, continuationToken), cancellationToken);
        if (page is null)
        {
            return Problems.NotFound("application");
        }

        var now = clock.GetUtcNow();
        return TypedResults.Ok(new ItemsResponse<SecretResponse>(page.Items.Select(s => SecretResponse.From(s, now)).ToList(), page.ContinuationToken));
    }

    static async Task<Results<Created<CreatedSecretResponse>, ProblemHttpResult>> CreateSecret(
        string bu, string id, CreateSecretRequest? request, CredentialService credentials, HttpContext context, CancellationToken cancellationToken)
    {
        var rotation = await credentials.RotateAsync(bu, id, request?.ExpiresInDays, context.GetAuditContext(), cancellationToken);
        if (rotation is null)
        {
            return Problems.NotFound("application");
        }

        // The application's new version: rotating changes it, so a client's next If-Match needs this one.
        context.Response.SetETag(rotation.Application.Version);
        context.Response.Headers.CacheControl = "no-store";
        var secret = rotation.Secret.Metadata;
        return TypedResults.Created(
            $"/api/business-units/{bu}/applications/{id}/secrets/{secret.SecretId}",
            new CreatedSecretResponse(secret.SecretId, rotation.Secret.Value, secret.Hint, secret.CreatedAt, secret.ExpiresAt));
    }

    static async Task<Results<NoContent, ProblemHttpResult>> RevokeSecret(
        string bu, string id, string secretId, CredentialService credentials, HttpContext context, CancellationToken cancellationToken) =>
        await credentials.RevokeAsync(bu, id, secretId, context.GetAuditContext(), cancellationToken) ? TypedResults.NoContent() : Problems.NotFound("secret");
}
