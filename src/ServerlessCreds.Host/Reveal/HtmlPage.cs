using System.Security.Cryptography;
using System.Text;

namespace ServerlessCreds.Host.Reveal;

/// <summary>
/// A complete HTML page in the product's plain layout. <paramref name="Body"/> is already-encoded HTML; the optional
/// <paramref name="Script"/> runs under a per-response nonce, the only script the page's CSP allows.
/// </summary>
sealed record HtmlPage(int StatusCode, string Title, string Body, string? Script = null) : IResult
{
    public const string ProductName = "ServerlessCreds";

    // The reveal page's body holds the client secret: printing the page names it only.
    bool PrintMembers(StringBuilder builder)
    {
        builder.Append("StatusCode = ").Append(StatusCode).Append(", Title = ").Append(Title);
        return true;
    }

    const string Style = """
        body { margin: 0; font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; line-height: 1.5; color: #1b1b1b; background: #f4f5f7; }
        main { max-width: 36rem; margin: 0 auto; padding: 1.5rem 1rem; }
        .card { background: #fff; border: 1px solid #d8dbe0; border-radius: 8px; padding: 1.25rem 1.5rem; }
        .product { font-weight: 600; color: #3d4b5c; margin: 0 0 1rem; }
        h1 { font-size: 1.4rem; line-height: 1.3; margin: 0 0 1rem; }
        label { display: block; font-weight: 600; margin-bottom: .25rem; }
        input { box-sizing: border-box; width: 100%; font: inherit; padding: .6rem; border: 1px solid #8a94a3; border-radius: 6px; margin-bottom: 1rem; }
        button { font: inherit; font-weight: 600; padding: .7rem 1.2rem; border: 0; border-radius: 6px; background: #0b5cad; color: #fff; cursor: pointer; }
        button:focus-visible, input:focus-visible, a:focus-visible { outline: 3px solid #f2a900; outline-offset: 2px; }
        .alert { border-left: 4px solid #b3261e; background: #fdecea; padding: .6rem .8rem; margin: 0 0 1rem; }
        .note { color: #4a5563; font-size: .95rem; }
        dt { font-weight: 600; margin-top: .75rem; }
        dd { margin: .25rem 0 0; }
        code { display: block; font-family: ui-monospace, Consolas, monospace; font-size: 1rem; word-break: break-all; background: #eef1f4; padding: .5rem .6rem; border-radius: 4px; user-select: all; }
        .status { margin-left: .75rem; }
        table { border-collapse: collapse; width: 100%; }
        th, td { text-align: left; padding: .4rem .5rem; border-bottom: 1px solid #d8dbe0; vertical-align: top; }
        """;

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var nonce = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
        var response = httpContext.Response;
        SensitiveResponse.Apply(response, SensitiveResponse.PagePolicy(nonce));
        response.StatusCode = StatusCode;
        response.ContentType = "text/html; charset=utf-8";
        var script = Script is null ? "" : $"<script nonce=\"{nonce}\">{Script}</script>";
        var html = $"""
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta name="robots" content="noindex">
            <meta name="referrer" content="no-referrer">
            <title>{Html.Encode(Title)} · {ProductName}</title>
            <style nonce="{nonce}">{Style}</style>
            </head>
            <body>
            <main>
            <p class="product">{ProductName}</p>
            <div class="card">
            <h1>{Html.Encode(Title)}</h1>
            {Body}
            </div>
            </main>
            {script}
            </body>
            </html>
            """;
        await response.Body.WriteAsync(Encoding.UTF8.GetBytes(html), httpContext.RequestAborted);
    }
}

static class Html
{
    public static string Encode(string text) => System.Text.Encodings.Web.HtmlEncoder.Default.Encode(text);
}
