namespace ServerlessCreds.Host.Reveal;

/// <summary>Headers for responses that carry (or guard) a secret: never cached, indexed, framed, sniffed or referred from.</summary>
static class SensitiveResponse
{
    /// <summary>For responses with no page content at all (JSON).</summary>
    public const string NoContentPolicy = "default-src 'none'; form-action 'none'; base-uri 'none'; frame-ancestors 'none'";

    /// <summary>Only the page's own nonced style and script run; forms post back to this site.</summary>
    public static string PagePolicy(string nonce) =>
        $"default-src 'none'; style-src 'nonce-{nonce}'; script-src 'nonce-{nonce}'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

    public static void Apply(HttpResponse response, string contentSecurityPolicy)
    {
        var headers = response.Headers;
        headers.CacheControl = "no-store";
        headers["Referrer-Policy"] = "no-referrer";
        headers["X-Robots-Tag"] = "noindex";
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers.ContentSecurityPolicy = contentSecurityPolicy;
    }
}
