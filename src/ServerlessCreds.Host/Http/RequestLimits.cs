using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace ServerlessCreds.Host.Http;

/// <summary>
/// URL and header size limits answered with problem+json, enforced here so they hold the same under Kestrel, the
/// Functions host and the test server. Kestrel's own limits sit above ours: only grossly oversized requests get its bare answers.
/// </summary>
static class RequestLimits
{
    /// <summary>Path and query, as sent.</summary>
    public const int MaxUrlBytes = 8 * 1024;

    /// <summary>All header names and values together.</summary>
    public const int MaxHeaderBytes = 32 * 1024;

    public static IServiceCollection AddRequestLimits(this IServiceCollection services) =>
        services.Configure<KestrelServerOptions>(kestrel =>
        {
            kestrel.Limits.MaxRequestLineSize = 2 * MaxUrlBytes;
            kestrel.Limits.MaxRequestHeadersTotalSize = 2 * MaxHeaderBytes;
        });

    public static IApplicationBuilder UseRequestLimits(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            var problem = UrlLength(context.Request) > MaxUrlBytes
                ? new ProblemDetails { Status = StatusCodes.Status414UriTooLong, Title = "URI too long", Detail = $"The path and query are limited to {MaxUrlBytes / 1024} KiB." }
                : HeaderLength(context.Request) > MaxHeaderBytes
                    ? new ProblemDetails { Status = StatusCodes.Status431RequestHeaderFieldsTooLarge, Title = "Request headers too large", Detail = $"Request headers are limited to {MaxHeaderBytes / 1024} KiB in total." }
                    : null;
            if (problem is null)
            {
                await next(context);
                return;
            }

            context.Response.StatusCode = problem.Status!.Value;
            await context.RequestServices.GetRequiredService<IProblemDetailsService>()
                .WriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem });
        });

    static long UrlLength(HttpRequest request) =>
        request.PathBase.ToUriComponent().Length + request.Path.ToUriComponent().Length + request.QueryString.ToUriComponent().Length;

    static long HeaderLength(HttpRequest request)
    {
        long total = 0;
        foreach (var (name, values) in request.Headers)
        {
            foreach (var value in values)
            {
                total += name.Length + (value?.Length ?? 0);
            }
        }

        return total;
    }
}
