using System.Net;
using System.Text.RegularExpressions;
using ServerlessCreds.Host.Tests.Api;

namespace ServerlessCreds.Host.Tests.Reveal;

public sealed partial class RevealPageTests(ServerlessCredsApplication app) : IClassFixture<ServerlessCredsApplication>
{
    const string Neutral = "This link is no longer available";

    static FormUrlEncodedContent Form(string? passphrase = null) =>
        new(passphrase is null ? [] : new Dictionary<string, string> { ["passphrase"] = passphrase });

    [Fact]
    public async Task Opening_a_link_names_the_application_offers_a_reveal_button_and_consumes_nothing()
    {
        await app.ReadyAsync();
        var secret = await OneTimeLinks.CreateApplicationAsync(app, "Billing <sync> & \"co\"");
        var token = await OneTimeLinks.SendAsync(app, secret);
        using var reader = app.CreateClient();

        for (var i = 0; i < 3; i++)
        {
            var page = await reader.GetAsync($"/s/{token}");
            var html = await ExpectPageAsync(page, HttpStatusCode.OK);
            Assert.Contains("Billing &lt;sync&gt; &amp; &quot;co&quot;", html, StringComparison.Ordinal);
            Assert.DoesNotContain("<sync>", html, StringComparison.Ordinal);
            Assert.Contains("<form method=\"post\">", html, StringComparison.Ordinal);
            Assert.Contains(">Reveal secret</button>", html, StringComparison.Ordinal);
            Assert.DoesNotContain("name=\"passphrase\"", html, StringComparison.Ordinal);
            Assert.DoesNotContain(secret.ClientSecret, html, StringComparison.Ordinal);
        }

        var revealed = await ExpectPageAsync(await reader.PostAsync($"/s/{token}", Form()), HttpStatusCode.OK);
        Assert.Contains($"<code id=\"client-secret\">{secret.ClientSecret}</code>", revealed, StringComparison.Ordinal);
        Assert.Contains($"<code id=\"client-id\">{secret.ClientId}</code>", revealed, StringComparison.Ordinal);
        Assert.Contains("Billing &lt;sync&gt;", revealed, StringComparison.Ordinal);
        Assert.Contains("id=\"copy\"", revealed, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_second_reveal_says_already_viewed_and_the_link_then_reads_as_no_longer_available()
    {
        await app.ReadyAsync();
        var secret = await OneTimeLinks.CreateApplicationAsync(app, "Payroll");
        var token = await OneTimeLinks.SendAsync(app, secret);
        using var reader = app.CreateClient();
        await ExpectPageAsync(await reader.PostAsync($"/s/{token}", Form()), HttpStatusCode.OK);

        var again = await ExpectPageAsync(await reader.PostAsync($"/s/{token}", Form()), HttpStatusCode.Gone);
        Assert.Contains("already viewed", again, StringComparison.Ordinal);
        Assert.DoesNotContain(secret.ClientSecret, again, StringComparison.Ordinal);

        var opened = await ExpectPageAsync(await reader.GetAsync($"/s/{token}"), HttpStatusCode.Gone);
        Assert.Contains(Neutral, opened, StringComparison.Ordinal);
        Assert.DoesNotContain("Payroll", opened, StringComparison.Ordinal);
        await (await reader.PostJsonAsync($"/api/one-time-secrets/{token}/reveal", "{}")).ExpectProblemAsync(HttpStatusCode.Gone);
    }

    [Fact]
    public async Task Unknown_and_malformed_tokens_get_the_neutral_page_with_404()
    {
        await app.ReadyAsync();
        using var reader = app.CreateClient();

        foreach (var token in new[] { OneTimeLinks.UnknownToken(), "short", "%3Cscript%3E" })
        {
            var shown = await ExpectPageAsync(await reader.GetAsync($"/s/{token}"), HttpStatusCode.NotFound);
            var posted = await ExpectPageAsync(await reader.PostAsync($"/s/{token}", Form()), HttpStatusCode.NotFound);
            Assert.Contains(Neutral, shown, StringComparison.Ordinal);
            Assert.Contains(Neutral, posted, StringComparison.Ordinal);
            Assert.DoesNotContain("<script>", shown, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_revoked_secret_makes_its_link_read_as_no_longer_available_with_410()
    {
        await app.ReadyAsync();
        var secret = await OneTimeLinks.CreateApplicationAsync(app, "Revoked app");
        var token = await OneTimeLinks.SendAsync(app, secret);
        using var admin = app.CreateClient(secret.BusinessUnit, ServerlessCreds.Callers.Roles.Edit, ServerlessCreds.Callers.Roles.View);
        var secrets = $"/api/business-units/{secret.BusinessUnit}/applications/{secret.ApplicationId}/secrets";
        var secretId = (await (await admin.GetAsync(secrets)).ReadJsonAsync()).GetProperty("items")[0].GetProperty("secretId").GetString();
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"{secrets}/{secretId}")).StatusCode);
        using var reader = app.CreateClient();

        var shown = await ExpectPageAsync(await reader.GetAsync($"/s/{token}"), HttpStatusCode.Gone);
        var posted = await ExpectPageAsync(await reader.PostAsync($"/s/{token}", Form()), HttpStatusCode.Gone);

        Assert.Contains(Neutral, shown, StringComparison.Ordinal);
        Assert.Contains(Neutral, posted, StringComparison.Ordinal);
        Assert.DoesNotContain(secret.ClientSecret, posted, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_passphrase_link_asks_for_it_counts_wrong_tries_and_burns_after_five()
    {
        await app.ReadyAsync();
        var secret = await OneTimeLinks.CreateApplicationAsync(app, "Guarded");
        var token = await OneTimeLinks.SendAsync(app, secret, passphrase: "correct horse battery");
        using var reader = app.CreateClient();

        var shown = await ExpectPageAsync(await reader.GetAsync($"/s/{token}"), HttpStatusCode.OK);
        Assert.Contains("<input id=\"passphrase\" name=\"passphrase\" type=\"password\"", shown, StringComparison.Ordinal);

        var missing = await ExpectPageAsync(await reader.PostAsync($"/s/{token}", Form()), HttpStatusCode.BadRequest);
        Assert.Contains("needs the passphrase", missing, StringComparison.Ordinal);
        Assert.Contains("name=\"passphrase\"", missing, StringComparison.Ordinal);

        var wrong = await ExpectPageAsync(await reader.PostAsync($"/s/{token}", Form("wrong guess 1")), HttpStatusCode.Forbidden);
        Assert.Contains("4 tries are left", wrong, StringComparison.Ordinal);
        var problem = await (await reader.PostJsonAsync($"/api/one-time-secrets/{token}/reveal", new { passphrase = "wrong guess 2" })).ExpectProblemAsync(HttpStatusCode.Forbidden);
        Assert.Contains("3 more wrong tries", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        await (await reader.PostJsonAsync($"/api/one-time-secrets/{token}/reveal", "{}")).ExpectProblemAsync(HttpStatusCode.BadRequest);
        await ExpectPageAsync(await reader.PostAsync($"/s/{token}", Form("wrong guess 3")), HttpStatusCode.Forbidden);
        var last = await ExpectPageAsync(await reader.PostAsync($"/s/{token}", Form("wrong guess 4")), HttpStatusCode.Forbidden);
        Assert.Contains("1 try is left", last, StringComparison.Ordinal);

        var burnt = await ExpectPageAsync(await reader.PostAsync($"/s/{token}", Form("wrong guess 5")), HttpStatusCode.Gone);
        Assert.Contains(Neutral, burnt, StringComparison.Ordinal);
        var right = await ExpectPageAsync(await reader.PostAsync($"/s/{token}", Form("correct horse battery")), HttpStatusCode.Gone);
        Assert.DoesNotContain(secret.ClientSecret, right, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_right_passphrase_reveals_the_secret()
    {
        await app.ReadyAsync();
        var secret = await OneTimeLinks.CreateApplicationAsync(app, "Guarded too");
        var token = await OneTimeLinks.SendAsync(app, secret, passphrase: "correct horse battery");
        using var reader = app.CreateClient();

        await ExpectPageAsync(await reader.PostAsync($"/s/{token}", Form("not it at all")), HttpStatusCode.Forbidden);
        var revealed = await ExpectPageAsync(await reader.PostAsync($"/s/{token}", Form("correct horse battery")), HttpStatusCode.OK);

        Assert.Contains(secret.ClientSecret, revealed, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_page_gets_its_own_nonce_and_only_nonced_style_and_script()
    {
        await app.ReadyAsync();
        var secret = await OneTimeLinks.CreateApplicationAsync(app, "Nonces");
        var token = await OneTimeLinks.SendAsync(app, secret);
        using var reader = app.CreateClient();

        var first = await reader.GetAsync($"/s/{token}");
        var second = await reader.GetAsync($"/s/{token}");
        var revealed = await reader.PostAsync($"/s/{token}", Form());

        var nonces = new List<string>();
        foreach (var response in new[] { first, second, revealed })
        {
            var html = await ExpectPageAsync(response, HttpStatusCode.OK);
            var nonce = NoncePattern().Match(response.Headers.GetValues("Content-Security-Policy").Single()).Groups[1].Value;
            Assert.Matches("^[A-Za-z0-9+/]{22}==$", nonce);
            Assert.Equal(Regex.Count(html, "<(style|script)"), Regex.Count(html, $"<(style|script) nonce=\"{Regex.Escape(nonce)}\">"));
            Assert.DoesNotContain(" style=", html, StringComparison.Ordinal);
            Assert.DoesNotContain(" onclick=", html, StringComparison.Ordinal);
            nonces.Add(nonce);
        }

        Assert.Equal(3, nonces.Distinct().Count());
        Assert.Contains("<script nonce=", await revealed.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_development_outbox_is_not_served_outside_development()
    {
        await app.ReadyAsync();
        using var client = app.CreateClient();

        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/dev/outbox")).StatusCode);
    }

    /// <summary>Asserts status, HTML and the headers every reveal page carries; returns the page.</summary>
    internal static async Task<string> ExpectPageAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var html = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"Expected {(int)status}, got {(int)response.StatusCode}: {html}");
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.StartsWith("<!DOCTYPE html>", html, StringComparison.Ordinal);
        Assert.Contains("ServerlessCreds", html, StringComparison.Ordinal);
        Assert.Contains("<meta name=\"viewport\"", html, StringComparison.Ordinal);
        AssertSensitiveHeaders(response);
        Assert.Matches(
            "^default-src 'none'; style-src 'nonce-([^']+)'; script-src 'nonce-\\1'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'$",
            response.Headers.GetValues("Content-Security-Policy").Single());
        return html;
    }

    internal static void AssertSensitiveHeaders(HttpResponseMessage response)
    {
        Assert.True(response.Headers.CacheControl?.NoStore, "Cache-Control: no-store");
        Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
        Assert.Equal("noindex", response.Headers.GetValues("X-Robots-Tag").Single());
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
        var policy = response.Headers.GetValues("Content-Security-Policy").Single();
        Assert.StartsWith("default-src 'none';", policy, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", policy, StringComparison.Ordinal);
    }

    [GeneratedRegex("style-src 'nonce-([^']+)'")]
    private static partial Regex NoncePattern();
}
