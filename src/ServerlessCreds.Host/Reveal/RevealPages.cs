using ServerlessCreds.SecretLinks;

namespace ServerlessCreds.Host.Reveal;

/// <summary>The pages a link's reader sees. Every value from people or storage goes through <see cref="Html.Encode"/>.</summary>
static class RevealPages
{
    /// <summary>Copies the secret; where the clipboard API is refused, selects it so the reader can copy by hand.</summary>
    const string CopyScript = """
        const button = document.getElementById('copy');
        const secret = document.getElementById('client-secret');
        const status = document.getElementById('copy-status');
        button.addEventListener('click', async () => {
          try {
            await navigator.clipboard.writeText(secret.textContent);
            status.textContent = 'Copied';
          } catch {
            window.getSelection().selectAllChildren(secret);
            status.textContent = 'Selected: press Ctrl+C (or ⌘C) to copy';
          }
        });
        """;

    public static HtmlPage Interstitial(string applicationName, bool needsPassphrase) =>
        Form(StatusCodes.Status200OK, $"Client secret for {applicationName}", needsPassphrase, message: null, intro: $"""
            <p>Someone sent you the client secret of the application <strong>{Html.Encode(applicationName)}</strong>.</p>
            <p>It is shown only once: after you press the button, this link stops working. Have a safe place ready to store it, such as your secret store or password manager.</p>
            """);

    public static HtmlPage PassphraseRequired() =>
        Form(StatusCodes.Status400BadRequest, "Enter the passphrase", needsPassphrase: true, "This link needs the passphrase the sender gave you.", intro: "");

    public static HtmlPage WrongPassphrase(int remainingTries) =>
        Form(StatusCodes.Status403Forbidden, "Enter the passphrase", needsPassphrase: true,
            $"That passphrase is not right. {remainingTries} {(remainingTries == 1 ? "try is" : "tries are")} left before the link stops working.", intro: "");

    public static HtmlPage Revealed(RevealResult.Revealed revealed) =>
        new(StatusCodes.Status200OK, $"Client secret for {revealed.ApplicationName}", $"""
            <dl>
            <dt>Application</dt><dd>{Html.Encode(revealed.ApplicationName)}</dd>
            <dt>Client id</dt><dd><code id="client-id">{Html.Encode(revealed.ClientId)}</code></dd>
            <dt>Client secret</dt><dd><code id="client-secret">{Html.Encode(revealed.ClientSecret)}</code></dd>
            </dl>
            <p><button type="button" id="copy">Copy secret</button><span id="copy-status" class="status" role="status" aria-live="polite"></span></p>
            <p class="note">This is the only time the secret is shown: the link no longer works. Store it now, then close this page.</p>
            """, CopyScript);

    public static HtmlPage AlreadyViewed() =>
        new(StatusCodes.Status410Gone, "This secret was already viewed", """
            <p>The secret behind this link has already been shown once, so the link no longer works.</p>
            <p class="note">If it was not you who viewed it, tell the person who sent the link, so they can revoke the secret.</p>
            """);

    /// <summary>The same words for every reason (unknown, used, expired, revoked, burnt): the page tells a guesser nothing.</summary>
    public static HtmlPage NoLongerAvailable(int statusCode) =>
        new(statusCode, "This link is no longer available", """
            <p>One-time links work once and only for a limited time.</p>
            <p class="note">If you still need the secret, ask the person who sent you the link for a new one.</p>
            """);

    public static HtmlPage TemporarilyUnavailable() =>
        new(StatusCodes.Status503ServiceUnavailable, "Please try again in a minute", """
            <p>ServerlessCreds cannot reach its storage right now. Reload this page in a minute.</p>
            """);

    static HtmlPage Form(int statusCode, string title, bool needsPassphrase, string? message, string intro)
    {
        var alert = message is null ? "" : $"""<p class="alert" role="alert">{Html.Encode(message)}</p>""";
        var passphrase = needsPassphrase
            ? """<label for="passphrase">Passphrase</label><input id="passphrase" name="passphrase" type="password" autocomplete="off" required>"""
            : "";
        return new HtmlPage(statusCode, title, $"""
            {alert}
            {intro}
            <form method="post">
            {passphrase}
            <button type="submit">Reveal secret</button>
            </form>
            """);
    }
}
