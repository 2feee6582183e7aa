namespace ServerlessCreds.Host.Reveal;

static class RequestPathLogging
{
    /// <summary>
    /// Link tokens are URL path segments, and ASP.NET Core logs request paths: hosting diagnostics write "Request
    /// starting/finished" at Information and, whenever that category is enabled at all, a RequestPath scope on every line
    /// logged during the request; route matching writes the path at Debug. The Functions host logs each invocation itself,
    /// so nothing is lost by turning these off. A rule added in code comes after configuration, so it wins over a setting
    /// for the same category.
    /// </summary>
    public static ILoggingBuilder OmitRequestPaths(this ILoggingBuilder logging) =>
        logging
            .AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None)
            .AddFilter("Microsoft.AspNetCore.Routing.Matching.DfaMatcher", LogLevel.Information);
}
