using Microsoft.AspNetCore.Http.Features;

namespace ServerlessCreds.Host.Http;

/// <summary>The contract's 64 KiB body limit, enforced the same way under Kestrel, the Functions host and the test server.</summary>
static class RequestBodyLimit
{
    public const int MaxBytes = 64 * 1024;

    public static IApplicationBuilder UseRequestBodyLimit(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            if (context.Request.ContentLength > MaxBytes)
            {
                throw new BadHttpRequestException("Request body too large.", StatusCodes.Status413PayloadTooLarge);
            }

            var limit = context.Features.Get<IHttpMaxRequestBodySizeFeature>();
            if (limit is { IsReadOnly: false })
            {
                limit.MaxRequestBodySize = MaxBytes;
            }

            await next(context);
        });
}
