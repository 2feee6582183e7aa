using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using ServerlessCreds.Host.Functions;
using ServerlessCreds.Host.Reveal;

namespace ServerlessCreds.Host.Http;

/// <summary>The <c>RateLimits</c> section: how often one-time links may be opened or revealed.</summary>
public sealed class RateLimitOptions
{
    public const string SectionName = "RateLimits";

    /// <summary>Requests to reveal endpoints per client address (an IPv6 client counts per /64) and window.</summary>
    public int RevealsPerAddress { get; set; } = 20;

    /// <summary>Requests naming the same link token per window, whoever sends them.</summary>
    public int RevealsPerToken { get; set; } = 10;

    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>
/// Rate limits on the endpoints that take a link token in their route (the reveal pages and API): fixed windows per client
/// address and per token. The token is only ever a key in hashed form, so it never lingers in memory or diagnostics.
/// </summary>
static class RevealRateLimits
{
    const string ForwardedForHeader = "X-Forwarded-For";

    public static IServiceCollection AddRevealRateLimits(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<RateLimitOptions>().Bind(configuration.GetSection(RateLimitOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<RateLimitOptions>, RateLimitOptionsValidator>();
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<RateLimitOptions>>((limiter, options) =>
        {
            var limits = options.Value;
            var trustForwardedFor = FunctionsHostPort.IsUnderFunctionsHost(configuration);
            limiter.GlobalLimiter = PartitionedRateLimiter.CreateChained(
                PerLinkRequest(limits.RevealsPerAddress, limits.Window, context => ClientAddress(context, trustForwardedFor)),
                PerLinkRequest(limits.RevealsPerToken, limits.Window, TokenHash));
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.OnRejected = (rejected, _) => RejectAsync(rejected, limits.Window);
        });
        return services;
    }

    /// <summary>Documents the limits on a link endpoint: 429 with Retry-After, as a page or, under /api, as a problem.</summary>
    public static RouteHandlerBuilder ProducesTooManyRequests(this RouteHandlerBuilder builder, bool page) =>
        (page ? builder.Produces<string>(StatusCodes.Status429TooManyRequests, "text/html") : builder.ProducesProblem(StatusCodes.Status429TooManyRequests))
            .AddOpenApiOperationTransformer((operation, context, _) =>
            {
                var limits = context.ApplicationServices.GetRequiredService<IOptions<RateLimitOptions>>().Value;
                var rule = $"""
                    Rate limited before anything else, across the one-time-link operations together: {limits.RevealsPerAddress} requests per client
                    address (an IPv6 client counts per /64) and {limits.RevealsPerToken} per link token, per {limits.Window.TotalSeconds:0} seconds.
                    Over a limit: 429 with `Retry-After`; such refusals are not audited.
                    """;
                operation.Description = string.IsNullOrEmpty(operation.Description) ? rule : operation.Description + "\n\n" + rule;
                return Task.CompletedTask;
            });

    static string? LinkToken(HttpContext context) => context.Request.RouteValues["token"] as string;

    static PartitionedRateLimiter<HttpContext> PerLinkRequest(int permits, TimeSpan window, Func<HttpContext, string> key) =>
        PartitionedRateLimiter.Create<HttpContext, string>(context => LinkToken(context) is null
            ? RateLimitPartition.GetNoLimiter("")
            : RateLimitPartition.GetFixedWindowLimiter(key(context), _ => new FixedWindowRateLimiterOptions { PermitLimit = permits, Window = window }));

    static string TokenHash(HttpContext context) => "token:" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(LinkToken(context)!)));

    /// <summary>
    /// The connection's address; under the Functions host, which forwards every request from loopback, the last
    /// X-Forwarded-For hop instead: the address the platform's front end saw and appended. Hops before it are whatever the
    /// caller sent, so keying on them would let a caller pick a fresh limit per request. Standalone the header is the
    /// caller's own claim and is ignored.
    /// </summary>
    static string ClientAddress(HttpContext context, bool trustForwardedFor)
    {
        var address = context.Connection.RemoteIpAddress;
        if (trustForwardedFor && address is not null && IPAddress.IsLoopback(address)
            && IPEndPoint.TryParse(context.Request.Headers[ForwardedForHeader].ToString().Split(',')[^1].Trim(), out var forwarded))
        {
            address = forwarded.Address;
        }

        return "address:" + (address is null ? "unknown" : Network(address));
    }

    // One IPv6 subscriber usually holds a whole /64; counting per address would let it rotate through them.
    static string Network(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            return address.MapToIPv4().ToString();
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address.ToString();
        }

        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes) + "/64";
    }

    static async ValueTask RejectAsync(OnRejectedContext rejected, TimeSpan window)
    {
        var context = rejected.HttpContext;
        var wait = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : window;
        var seconds = (int)Math.Ceiling(Math.Max(1, wait.TotalSeconds));
        context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        if (context.Request.Path.StartsWithSegments("/api"))
        {
            SensitiveResponse.Apply(context.Response, SensitiveResponse.NoContentPolicy);
            await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
            {
                HttpContext = context,
                ProblemDetails = new ProblemDetails
                {
                    Status = StatusCodes.Status429TooManyRequests, Title = "Too many requests", Detail = $"Too many attempts for this link or from this address; try again in {seconds} seconds.",
                },
            });
            return;
        }

        // A reader's browser gets a page in the same plain layout as the link's other answers.
        await new HtmlPage(StatusCodes.Status429TooManyRequests, "Please wait a moment", """
            <p>There were too many attempts to open this link. Wait a minute, then reload this page.</p>
            """).ExecuteAsync(context);
    }
}

sealed class RateLimitOptionsValidator : IValidateOptions<RateLimitOptions>
{
    public ValidateOptionsResult Validate(string? name, RateLimitOptions options)
    {
        var failures = new List<string>();
        if (options.RevealsPerAddress is < 1 or > 10_000)
        {
            failures.Add("RateLimits:RevealsPerAddress must be between 1 and 10000.");
        }

        if (options.RevealsPerToken is < 1 or > 10_000)
        {
            failures.Add("RateLimits:RevealsPerToken must be between 1 and 10000.");
        }

        if (options.Window < TimeSpan.FromSeconds(1) || options.Window > TimeSpan.FromHours(1))
        {
            failures.Add("RateLimits:Window must be between 00:00:01 and 01:00:00.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
