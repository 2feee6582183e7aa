namespace ServerlessCreds.Host.Http;

static class CorrelationId
{
    public const string HeaderName = "X-Correlation-Id";
    const int MaxLength = 128;

    /// <summary>Echoes a well-formed caller id (or mints one) on every response and in the log scope.</summary>
    public static IApplicationBuilder UseCorrelationId(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            var incoming = context.Request.Headers[HeaderName].ToString();
            var id = IsWellFormed(incoming) ? incoming : Guid.NewGuid().ToString("N");
            context.Items[HeaderName] = id;
            context.Response.OnStarting(() =>
            {
                context.Response.Headers[HeaderName] = id;
                return Task.CompletedTask;
            });

            var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("ServerlessCreds.Requests");
            using (logger.BeginScope(new Dictionary<string, object> { ["CorrelationId"] = id }))
            {
                await next(context);
            }
        });

    public static string Get(HttpContext context) => (string)context.Items[HeaderName]!;

    // Only ids that are safe to echo into headers and logs are kept.
    static bool IsWellFormed(string value) =>
        value.Length is > 0 and <= MaxLength && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':');
}
