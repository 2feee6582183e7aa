using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using ServerlessCreds.Callers;
using ServerlessCreds.Deliveries;
using ServerlessCreds.Host.Http;

namespace ServerlessCreds.Host.Api;

public sealed record SecretEmailRequestBody(
    string? RecipientEmail, string? RecipientName = null, string? SecretId = null, int? ExpiresInHours = null, string? Passphrase = null)
{
    // The passphrase must not show up if the request is ever logged or printed.
    public override string ToString() => $"SecretEmailRequestBody {{ RecipientEmail = {RecipientEmail}, SecretId = {SecretId} }}";
}

public sealed record QueuedDeliveryResponse(string DeliveryId, string Status);

public sealed record DeliveryResponse(
    string DeliveryId,
    string RecipientEmail,
    string Status,
    DateTimeOffset CreatedAt,
    string CreatedBy,
    DateTimeOffset ExpiresAt,
    // Optional parameters, so the OpenAPI document does not list these omitted-when-null members as required.
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTimeOffset? SentAt = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTimeOffset? ViewedAt = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? FailureReason = null);

public static class SecretEmailEndpoints
{
    const string RequestSecretEmailDescription = """
        Queues an email with a one-time link to the secret `secretId` (default: the newest active one; 400 when it is not
        an active secret of this application). `expiresInHours` 1..168, default 72; `passphrase`, when given, 8..128
        characters: the reader must enter it, and the email does not contain it. 409 when the application has no active
        secret (or a request with the same `Idempotency-Key` is still running).
        """;

    public static IEndpointRouteBuilder MapSecretEmails(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/business-units/{bu}/applications/{id}/secret-emails").WithTags("Secret emails").RequireAuthorization()
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesNotFound().ProducesUnavailable();
        group.MapPost("", RequestSecretEmail).WithName(nameof(RequestSecretEmail)).RequireBusinessUnitRole(Roles.SendSecretEmail).WithIdempotency()
            .WithDescription(RequestSecretEmailDescription).ProducesBodyProblems().WithLocation(StatusCodes.Status202Accepted).WithETag(StatusCodes.Status202Accepted);
        group.MapGet("/{deliveryId}", GetSecretEmail).WithName(nameof(GetSecretEmail)).RequireBusinessUnitRole(Roles.View);
        return routes;
    }

    static async Task<Results<Accepted<QueuedDeliveryResponse>, ProblemHttpResult>> RequestSecretEmail(
        string bu, string id, SecretEmailRequestBody request, SecretEmailService emails, HttpContext context, CancellationToken cancellationToken)
    {
        var delivery = await emails.RequestAsync(
            bu, id, new SecretEmailRequest(request.RecipientEmail, request.RecipientName, request.SecretId, request.ExpiresInHours, request.Passphrase),
            context.GetAuditContext(), cancellationToken);
        if (delivery is null)
        {
            return Problems.NotFound("application");
        }

        context.Response.SetETag(delivery.Version);
        return TypedResults.Accepted(
            $"/api/business-units/{bu}/applications/{id}/secret-emails/{delivery.DeliveryId}",
            new QueuedDeliveryResponse(delivery.DeliveryId, "queued"));
    }

    static async Task<Results<Ok<DeliveryResponse>, ProblemHttpResult>> GetSecretEmail(
        string bu, string id, string deliveryId, SecretEmailService emails, CancellationToken cancellationToken)
    {
        if (await emails.FindAsync(bu, id, deliveryId, cancellationToken) is not var (delivery, status))
        {
            return Problems.NotFound("secret email");
        }

        return TypedResults.Ok(new DeliveryResponse(
            delivery.DeliveryId, delivery.RecipientEmail, status.ToString().ToLowerInvariant(), delivery.CreatedAt, delivery.CreatedBy,
            delivery.ExpiresAt, delivery.SentAt, delivery.ViewedAt, delivery.FailureReason));
    }
}
