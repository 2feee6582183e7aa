using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http.Features;

namespace ServerlessCreds.Host.Http;

/// <summary>
/// The contract's Idempotency-Key on creating POSTs: a repeat with the same key and body (per caller and route) within 24 h
/// replays the first response, the same key with another body gets 422, and of concurrent repeats exactly one runs.
/// Only 2xx responses spend a key: a failure or a 4xx created nothing, so the key is released and the client may retry
/// with it, for instance after fixing a field the 400 named.
/// </summary>
static class Idempotency
{
    public const string HeaderName = "Idempotency-Key";
    public const string ReplayedHeaderName = "Idempotent-Replayed";
    const int MaxKeyLength = 255;

    // A double click's second request waits this long for the first to finish, then gets its response.
    const int WaitAttempts = 25;
    static readonly TimeSpan WaitInterval = TimeSpan.FromMilliseconds(200);

    sealed class IdempotentEndpoint;

    /// <summary>Opts a creating POST endpoint in.</summary>
    public static RouteHandlerBuilder WithIdempotency(this RouteHandlerBuilder builder) =>
        builder.WithMetadata(new IdempotentEndpoint())
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .AddOpenApiOperationTransformer((operation, _, _) =>
            {
                ApiResponses.AddRequestHeader(operation, HeaderName,
                    "1..255 printable ASCII characters (else 400). A repeat by the same caller with the same key and byte-identical body within 24 h " +
                    "replays the first success; the same key with another body gets 422; 409 with `Retry-After` while the first is still running. " +
                    "Only successes spend a key.");
                foreach (var success in operation.Responses!.Keys.Where(status => status.StartsWith('2')))
                {
                    ApiResponses.AddResponseHeader(operation, int.Parse(success, System.Globalization.CultureInfo.InvariantCulture), ReplayedHeaderName,
                        "`true` when this is a replay of an earlier response to the same Idempotency-Key.");
                }

                return Task.CompletedTask;
            });

    /// <summary>Runs after authentication, so the key is scoped to a known caller.</summary>
    public static IApplicationBuilder UseIdempotency(this IApplicationBuilder app) =>
        app.Use((context, next) =>
            context.GetEndpoint()?.Metadata.GetMetadata<IdempotentEndpoint>() is null || !context.Request.Headers.ContainsKey(HeaderName)
                ? next(context)
                : InvokeAsync(context, next));

    static async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var key = context.Request.Headers[HeaderName];
        if (key.Count != 1 || !IsWellFormed(key[0]!))
        {
            await Problems.Create(StatusCodes.Status400BadRequest, "Invalid Idempotency-Key", $"Send one {HeaderName} of 1 to {MaxKeyLength} printable ASCII characters.")
                .ExecuteAsync(context);
            return;
        }

        var body = await ReadBodyAsync(context.Request);
        var scope = Scope(context, key[0]!);
        var store = context.RequestServices.GetRequiredService<IdempotencyStore>();
        for (var attempt = 0; attempt < WaitAttempts; attempt++)
        {
            switch (await store.ReserveAsync(scope, body, context.RequestAborted))
            {
                case IdempotencyOutcome.Reserved reservation:
                    await RunAsync(context, next, store, reservation);
                    return;
                case IdempotencyOutcome.Completed completed:
                    await ReplayAsync(context.Response, completed.Response);
                    return;
                case IdempotencyOutcome.Mismatch:
                    await Problems.Create(StatusCodes.Status422UnprocessableEntity, "Idempotency-Key reused", $"This {HeaderName} was already used with a different request body.")
                        .ExecuteAsync(context);
                    return;
                case IdempotencyOutcome.InProgress:
                    await Task.Delay(WaitInterval, context.RequestAborted);
                    break;
            }
        }

        context.Response.Headers.RetryAfter = "1";
        await Problems.Create(StatusCodes.Status409Conflict, "Request in progress", $"A request with this {HeaderName} is still in progress; retry shortly to get its response.")
            .ExecuteAsync(context);
    }

    static async Task RunAsync(HttpContext context, RequestDelegate next, IdempotencyStore store, IdempotencyOutcome.Reserved reservation)
    {
        var response = context.Response;
        var original = context.Features.GetRequiredFeature<IHttpResponseBodyFeature>();
        using var buffer = new MemoryStream();
        var capture = new StreamResponseBodyFeature(buffer, original);
        context.Features.Set<IHttpResponseBodyFeature>(capture);
        try
        {
            await next(context);
            await capture.CompleteAsync();
        }
        catch
        {
            context.Features.Set(original);
            await ReleaseAsync(context, store, reservation);
            throw;
        }

        context.Features.Set(original);
        if (response.StatusCode is >= 200 and < 300)
        {
            var stored = new IdempotentResponse(response.StatusCode, response.Headers.Location, response.Headers.ETag, response.ContentType, buffer.ToArray());
            await CompleteAsync(context, store, reservation, stored);
        }
        else
        {
            await ReleaseAsync(context, store, reservation);
        }

        buffer.Position = 0;
        await buffer.CopyToAsync(response.Body, context.RequestAborted);
    }

    // The resource exists by now: if its response cannot be recorded, the caller still gets it (a client secret is shown only here).
    static async Task CompleteAsync(HttpContext context, IdempotencyStore store, IdempotencyOutcome.Reserved reservation, IdempotentResponse response)
    {
        try
        {
            await store.CompleteAsync(reservation, response, CancellationToken.None);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Logger(context).LogWarning(e, "Could not record the response for an {Header}; a repeat may run again once its lease lapses", HeaderName);
        }
    }

    // A key that cannot be released stays held until its lease lapses; the request's own outcome matters more than that.
    static async Task ReleaseAsync(HttpContext context, IdempotencyStore store, IdempotencyOutcome.Reserved reservation)
    {
        try
        {
            await store.ReleaseAsync(reservation, CancellationToken.None);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Logger(context).LogWarning(e, "Could not release an {Header}; a retry with it waits until its lease lapses", HeaderName);
        }
    }

    static ILogger Logger(HttpContext context) => context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(Idempotency));

    static async Task ReplayAsync(HttpResponse response, IdempotentResponse stored)
    {
        response.StatusCode = stored.Status;
        foreach (var (name, value) in new[] { ("Location", stored.Location), ("ETag", stored.ETag), ("Content-Type", stored.ContentType) })
        {
            if (value is not null)
            {
                response.Headers[name] = value;
            }
        }

        response.Headers[ReplayedHeaderName] = "true";
        // A replay may carry a client secret (a created application or secret), which no cache may keep.
        response.Headers.CacheControl = "no-store";
        await response.Body.WriteAsync(stored.Body);
    }

    /// <summary>Who asked, for which operation, under which key: another caller's or another route's key never matches.</summary>
    static string Scope(HttpContext context, string key) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(
            string.Join('\n', context.GetCaller().Id, context.Request.Method, context.Request.PathBase + context.Request.Path, key))));

    // The body is hashed before the endpoint reads it, so it is buffered here and put back; RequestBodyLimit, which runs
    // first, makes reading past 64 KiB throw its 413.
    static async Task<byte[]> ReadBodyAsync(HttpRequest request)
    {
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, request.HttpContext.RequestAborted);
        var body = buffer.ToArray();
        request.Body = new MemoryStream(body, writable: false);
        return body;
    }

    static bool IsWellFormed(string key) => key.Length is > 0 and <= MaxKeyLength && key.All(c => c is >= ' ' and <= '~');
}
