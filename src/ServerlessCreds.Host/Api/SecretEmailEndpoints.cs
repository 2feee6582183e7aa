using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using ServerlessCreds.Callers;
using ServerlessCreds.Deliveries;
using ServerlessCreds.Host.Http;

namespace ServerlessCreds.Host.Api;

public sealed record SecretEmailRequestBody(string? RecipientEmail, string? RecipientName, string? SecretId, int? ExpiresInHours, string? Passphrase)
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
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTimeOffset? SentAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTimeOffset? ViewedAt,
    DateTimeOffset ExpiresAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? FailureReason);

public static class SecretEmailEndpoints
{
    public static IEndpointRouteBuilder MapSecretEmails(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/business-units/{bu}/applications/{id}/secret-emails").WithTags("Secret emails").RequireAuthorization();
        group.MapPost("", RequestSecretEmail).WithName(nameof(RequestSecretEmail)).RequireBusinessUnitRole(Roles.SendSecretEmail).WithIdempotency();
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
            delivery.SentAt, delivery.ViewedAt, delivery.ExpiresAt, delivery.FailureReason));
    }
}
