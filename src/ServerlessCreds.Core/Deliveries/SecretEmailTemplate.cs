using System.Globalization;
using System.Net;

namespace ServerlessCreds.Deliveries;

/// <summary>The one-time link email. Every value from people (names, application) is HTML-encoded in the HTML part.</summary>
public static class SecretEmailTemplate
{
    public sealed record Content(string ProductName, string ApplicationName, string SenderName, string? RecipientName, DateTimeOffset ExpiresAt, Uri Link, bool NeedsPassphrase)
    {
        // The link carries the one-time token.
        public override string ToString() => $"Content {{ ApplicationName = {ApplicationName}, ExpiresAt = {ExpiresAt:O} }}";
    }

    public static EmailMessage Render(string recipientAddress, Content content)
    {
        var expires = content.ExpiresAt.UtcDateTime.ToString("dddd d MMMM yyyy, HH:mm 'UTC'", CultureInfo.InvariantCulture);
        var greeting = content.RecipientName is null ? "Hello," : $"Hello {content.RecipientName},";
        var passphraseNote = content.NeedsPassphrase ? "You will also need the passphrase the sender gives you separately." : "";
        var subject = $"{content.ProductName}: client secret for {content.ApplicationName}";

        var plain = $"""
            {greeting}

            {content.SenderName} sent you the client secret for the application "{content.ApplicationName}" through {content.ProductName}.

            Open this link to see it. It works once and expires on {expires}:
            {content.Link}

            {passphraseNote}
            If you did not expect this email, do not open the link; tell your account manager, who can revoke it.
            """;

        string Encode(string text) => WebUtility.HtmlEncode(text);
        var html = $"""
            <!DOCTYPE html>
            <html lang="en"><body style="font-family:sans-serif;line-height:1.5">
            <p>{Encode(greeting)}</p>
            <p>{Encode(content.SenderName)} sent you the client secret for the application <strong>{Encode(content.ApplicationName)}</strong> through {Encode(content.ProductName)}.</p>
            <p><a href="{Encode(content.Link.AbsoluteUri)}">Open the one-time link</a>. It works once and expires on {Encode(expires)}.</p>
            {(content.NeedsPassphrase ? $"<p>{Encode(passphraseNote)}</p>" : "")}
            <p>If you did not expect this email, do not open the link; tell your account manager, who can revoke it.</p>
            </body></html>
            """;

        return new EmailMessage(recipientAddress, content.RecipientName, subject, plain, html);
    }
}
