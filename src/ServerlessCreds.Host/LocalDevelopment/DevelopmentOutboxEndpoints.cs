using System.Globalization;
using System.Text;
using ServerlessCreds.Adapters.LocalDevelopment;
using ServerlessCreds.Deliveries;
using ServerlessCreds.Host.Reveal;

namespace ServerlessCreds.Host.LocalDevelopment;

/// <summary>
/// Development only: the local email outbox in the browser, so a local run can follow one-time links. Not a function
/// (no endpoint name, so no function.json) and not part of the API description.
/// </summary>
public static class DevelopmentOutboxEndpoints
{
    public static IEndpointRouteBuilder MapDevelopmentOutbox(this WebApplication app)
    {
        if (!app.Environment.IsDevelopment() || app.Services.GetService<IEmailSender>() is not OutboxEmailSender outbox)
        {
            return app;
        }

        var group = app.MapGroup("/dev/outbox").AllowAnonymous().ExcludeFromDescription();
        group.MapGet("", async (CancellationToken cancellationToken) => List(await outbox.ListAsync(cancellationToken)));
        group.MapGet("/{id:guid}", async (Guid id, CancellationToken cancellationToken) =>
            await outbox.ReadAsync(id, cancellationToken) is { } message ? (IResult)new EmailBody(message.Html) : TypedResults.NotFound());
        return app;
    }

    static HtmlPage List(IReadOnlyList<OutboxMessage> messages)
    {
        var rows = new StringBuilder();
        foreach (var message in messages)
        {
            rows.Append(CultureInfo.InvariantCulture, $"""
                <tr><td>{message.SentAt.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC</td><td>{Html.Encode(message.RecipientAddress)}</td><td><a href="/dev/outbox/{message.OperationId:D}">{Html.Encode(message.Subject)}</a></td></tr>
                """);
        }

        var body = messages.Count == 0
            ? "<p>No email sent yet.</p>"
            : $"<table><thead><tr><th>Sent</th><th>To</th><th>Subject</th></tr></thead><tbody>{rows}</tbody></table>";
        return new HtmlPage(StatusCodes.Status200OK, "Development outbox", $"""<p class="note">Emails this local run would have sent, newest first.</p>{body}""");
    }

    /// <summary>The stored email as sent, so its one-time link is clickable; its inline styles may apply, scripts may not run.</summary>
    sealed class EmailBody(string html) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            SensitiveResponse.Apply(httpContext.Response, "default-src 'none'; style-src 'unsafe-inline'; form-action 'none'; base-uri 'none'; frame-ancestors 'none'");
            httpContext.Response.ContentType = "text/html; charset=utf-8";
            return httpContext.Response.WriteAsync(html, httpContext.RequestAborted);
        }
    }
}
