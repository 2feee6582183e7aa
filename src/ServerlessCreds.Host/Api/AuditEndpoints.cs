using Microsoft.AspNetCore.Http.HttpResults;
using ServerlessCreds.Audit;
using ServerlessCreds.Callers;
using ServerlessCreds.Common;
using ServerlessCreds.Host.Http;

namespace ServerlessCreds.Host.Api;

public sealed record AuditEntryResponse(
    DateTimeOffset At, string ActorId, string ActorName, string Action, string TargetType, string TargetId, string Outcome, string CorrelationId)
{
    public static AuditEntryResponse From(AuditEntry entry) =>
        new(entry.At, entry.ActorId, entry.ActorName, entry.Action, entry.TargetType, entry.TargetId, entry.Outcome, entry.CorrelationId);
}

public static class AuditEndpoints
{
    const string Description = """
        Newest first. `from` (inclusive) and `to` (exclusive) are ISO 8601 times, e.g. `2025-01-31T00:00:00Z`.
        Every change and every reveal attempt on a known link is recorded in the request that makes it; entries never hold
        secret values, link tokens or passphrases.

        `action`: application.created, application.updated, application.deleted, application.scope-added,
        application.scope-removed, secret.created, secret.revoked, secret-email.requested, secret-email.sent,
        secret-email.failed, secret.revealed, secret.reveal-refused; in the `_platform` log: scope.created,
        external-application.created.

        `outcome`: `succeeded` or `failed`; `started` when the change's entry was written before it but its outcome could
        not be (the change may or may not have happened). A refused reveal says why: `passphrase-required`,
        `wrong-passphrase`, `burnt` (this or an earlier wrong passphrase used up the last try), `already-viewed`,
        `expired`, `revoked`, `not-sent`.

        `targetType`/`targetId`: application `{id}`, application-scope `{id}/scopes/{scope}`, secret `{id}/secrets/{secretId}`,
        secret-email `{id}/secret-emails/{deliveryId}` (reveals name the link's secret email), scope `{name}`,
        external-application `{id}`. `actorId` is the caller's id, `link-holder` for reveals (anonymous) and `system`
        for the email sender. `correlationId` is the request's `X-Correlation-Id`; the email sender's entries carry
        the one of the request that asked for the email.
        """;

    public static IEndpointRouteBuilder MapAudit(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/business-units").WithTags("Audit log").RequireAuthorization()
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesValidationProblem().ProducesUnavailable();
        group.MapGet("/{bu}/audit", ListAuditEntries).WithName(nameof(ListAuditEntries)).RequireBusinessUnitRole(Roles.AuditView)
            .WithSummary("A business unit's audit log.").WithDescription(Description).ProducesNotFound();
        // Catalog changes are platform-wide; their log sits under a reserved id that no business unit can have.
        group.MapGet($"/{AuditTrail.PlatformLog}/audit", ListPlatformAuditEntries).WithName(nameof(ListPlatformAuditEntries)).RequirePlatformAdmin()
            .WithSummary("The platform audit log (scope and external-application catalogs); Platform.Admin only.").WithDescription(Description);
        return routes;
    }

    static Task<Ok<ItemsResponse<AuditEntryResponse>>> ListAuditEntries(
        string bu, DateTimeOffset? from, DateTimeOffset? to, int? pageSize, string? continuationToken, AuditTrail audit, CancellationToken cancellationToken) =>
        ListAsync(bu, from, to, pageSize, continuationToken, audit, cancellationToken);

    static Task<Ok<ItemsResponse<AuditEntryResponse>>> ListPlatformAuditEntries(
        DateTimeOffset? from, DateTimeOffset? to, int? pageSize, string? continuationToken, AuditTrail audit, CancellationToken cancellationToken) =>
        ListAsync(AuditTrail.PlatformLog, from, to, pageSize, continuationToken, audit, cancellationToken);

    static async Task<Ok<ItemsResponse<AuditEntryResponse>>> ListAsync(
        string log, DateTimeOffset? from, DateTimeOffset? to, int? pageSize, string? continuationToken, AuditTrail audit, CancellationToken cancellationToken)
    {
        var page = await audit.ListAsync(log, from, to, PageRequest.Create(pageSize, continuationToken), cancellationToken);
        return TypedResults.Ok(new ItemsResponse<AuditEntryResponse>(page.Items.Select(AuditEntryResponse.From).ToList(), page.ContinuationToken));
    }
}
