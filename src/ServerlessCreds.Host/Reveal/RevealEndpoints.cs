using Microsoft.AspNetCore.Http.HttpResults;
using ServerlessCreds.Common;
using ServerlessCreds.Deliveries;
using ServerlessCreds.Host.Http;
using ServerlessCreds.Host.Startup;
using ServerlessCreds.SecretLinks;

namespace ServerlessCreds.Host.Reveal;

public sealed record RevealSecretRequest(string? Passphrase = null)
{
    public override string ToString() => $"RevealSecretRequest {{ HasPassphrase = {Passphrase is not null} }}";
}

public sealed record RevealedSecretResponse(string ApplicationName, string ClientId, string ClientSecret)
{
    public override string ToString() => $"RevealedSecretResponse {{ ApplicationName = {ApplicationName}, ClientId = {ClientId} }}";
}

/// <summary>One-time links, anonymous: the token in the URL is the credential.</summary>
public static class RevealEndpoints
{
    const string RevealDescription = """
        Shows the secret once: 200 for the first reveal only. Without a passphrase where the link needs one: 400. A wrong
        passphrase: 403, saying how many tries remain; the 5th wrong one burns the link. A link already viewed, expired,
        revoked or burnt: 410. An unknown token: 404. The body may be left out when the link needs no passphrase.
        """;

    public static IEndpointRouteBuilder MapReveal(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/s/{token}", ShowSecretLink).WithName(nameof(ShowSecretLink)).WithTags("One-time links").AllowAnonymous()
            .ProducesPages(StatusCodes.Status200OK, StatusCodes.Status404NotFound, StatusCodes.Status410Gone, StatusCodes.Status503ServiceUnavailable)
            .ProducesTooManyRequests(page: true);
        // No antiforgery token: the POST carries no ambient authority (no cookie, no session); the token in the URL,
        // which a forging site would have to know already, is the whole credential.
        routes.MapPost("/s/{token}", RevealSecretLink).WithName(nameof(RevealSecretLink)).WithTags("One-time links").AllowAnonymous()
            .WithDescription(RevealDescription).DescribesFormBody<RevealSecretRequest>()
            .ProducesPages(StatusCodes.Status200OK, StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound,
                StatusCodes.Status410Gone, StatusCodes.Status503ServiceUnavailable)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge).ProducesTooManyRequests(page: true);
        routes.MapPost("/api/one-time-secrets/{token}/reveal", RevealSecret).WithName(nameof(RevealSecret)).WithTags("One-time links").AllowAnonymous()
            .WithDescription(RevealDescription).ProducesBodyProblems().ProducesProblem(StatusCodes.Status403Forbidden).ProducesNotFound().ProducesProblem(StatusCodes.Status410Gone)
            .ProducesUnavailable().ProducesTooManyRequests(page: false)
            .AddEndpointFilter(async (context, next) =>
            {
                SensitiveResponse.Apply(context.HttpContext.Response, SensitiveResponse.NoContentPolicy);
                return await next(context);
            });
        return routes;
    }

    static async Task<HtmlPage> ShowSecretLink(
        string token, RevealService reveal, StorageInitializer storage, ILoggerFactory logs, CancellationToken cancellationToken) =>
        await PageAsync(storage, async () => await reveal.PreviewAsync(token, cancellationToken) switch
        {
            RevealResult.Ready ready => RevealPages.Interstitial(ready.ApplicationName, ready.NeedsPassphrase),
            RevealResult.Unknown => RevealPages.NoLongerAvailable(StatusCodes.Status404NotFound),
            // Used, expired, revoked or burnt all look the same before anything is revealed.
            _ => RevealPages.NoLongerAvailable(StatusCodes.Status410Gone),
        }, logs, cancellationToken);

    static async Task<HtmlPage> RevealSecretLink(
        string token, HttpRequest request, RevealService reveal, StorageInitializer storage, ILoggerFactory logs, CancellationToken cancellationToken) =>
        await PageAsync(storage, async () => await reveal.RevealAsync(
            token, await ReadPassphraseAsync(request, cancellationToken), request.HttpContext.GetLinkHolderAuditContext(), cancellationToken) switch
        {
            RevealResult.Revealed revealed => RevealPages.Revealed(revealed),
            RevealResult.Unavailable { Status: DeliveryStatus.Viewed } => RevealPages.AlreadyViewed(),
            RevealResult.Unavailable => RevealPages.NoLongerAvailable(StatusCodes.Status410Gone),
            RevealResult.Unknown => RevealPages.NoLongerAvailable(StatusCodes.Status404NotFound),
            RevealResult.PassphraseRequired => RevealPages.PassphraseRequired(),
            RevealResult.WrongPassphrase wrong => RevealPages.WrongPassphrase(wrong.RemainingTries),
            var other => throw new InvalidOperationException($"Unexpected reveal result {other.GetType().Name}."),
        }, logs, cancellationToken);

    static async Task<Results<Ok<RevealedSecretResponse>, ProblemHttpResult>> RevealSecret(
        string token, RevealSecretRequest? request, RevealService reveal, HttpContext context, CancellationToken cancellationToken) =>
        await reveal.RevealAsync(token, request?.Passphrase, context.GetLinkHolderAuditContext(), cancellationToken) switch
        {
            RevealResult.Revealed r => TypedResults.Ok(new RevealedSecretResponse(r.ApplicationName, r.ClientId, r.ClientSecret)),
            RevealResult.Unavailable { Status: DeliveryStatus.Viewed } => Problems.Create(StatusCodes.Status410Gone, "Gone", "The secret behind this link was already viewed."),
            RevealResult.Unavailable => Problems.Create(StatusCodes.Status410Gone, "Gone", "This link is no longer available."),
            RevealResult.Unknown => Problems.Create(StatusCodes.Status404NotFound, "Not found", "This link is no longer available."),
            RevealResult.PassphraseRequired => Problems.Create(StatusCodes.Status400BadRequest, "Passphrase required", "This link needs the passphrase the sender gave you."),
            RevealResult.WrongPassphrase wrong => Problems.Create(StatusCodes.Status403Forbidden, "Wrong passphrase",
                $"The passphrase is not right; {wrong.RemainingTries} more wrong {(wrong.RemainingTries == 1 ? "try burns" : "tries burn")} the link."),
            var other => throw new InvalidOperationException($"Unexpected reveal result {other.GetType().Name}."),
        };

    // Read by hand: form binding refuses the empty body a form without a passphrase field posts.
    static async Task<string?> ReadPassphraseAsync(HttpRequest request, CancellationToken cancellationToken) =>
        request.HasFormContentType ? (await request.ReadFormAsync(cancellationToken))["passphrase"].FirstOrDefault() : null;

    // A reader gets a page, not problem+json, when storage or the vault is down.
    static async Task<HtmlPage> PageAsync(StorageInitializer storage, Func<Task<HtmlPage>> render, ILoggerFactory logs, CancellationToken cancellationToken)
    {
        try
        {
            await storage.WaitUntilReadyAsync(cancellationToken);
            return await render();
        }
        catch (DependencyUnavailableException e)
        {
            logs.CreateLogger(typeof(RevealEndpoints).FullName!).LogWarning(e, "Dependency unavailable: {Dependency}", e.Dependency);
            return RevealPages.TemporarilyUnavailable();
        }
    }
}
