using System.Net;
using ServerlessCreds.Host.Tests.Api;

namespace ServerlessCreds.Host.Tests.Reveal;

/// <summary>The token is the credential and sits in the URL path, which ASP.NET Core logs by default.</summary>
public sealed class RevealLoggingTests(ServerlessCredsApplication app) : IClassFixture<ServerlessCredsApplication>
{
    [Fact]
    public async Task Link_tokens_and_passphrases_never_reach_the_logs_even_at_trace_level()
    {
        await app.ReadyAsync();
        var secret = await OneTimeLinks.CreateApplicationAsync(app, "Quiet app");
        var plain = await OneTimeLinks.SendAsync(app, secret);
        var guarded = await OneTimeLinks.SendAsync(app, secret, passphrase: "a passphrase nobody logs");
        var unknown = OneTimeLinks.UnknownToken();
        using var reader = app.CreateClient();

        await RevealPageTests.ExpectPageAsync(await reader.GetAsync($"/s/{plain}"), HttpStatusCode.OK);
        await RevealPageTests.ExpectPageAsync(await reader.PostAsync($"/s/{plain}", new FormUrlEncodedContent([])), HttpStatusCode.OK);
        await RevealPageTests.ExpectPageAsync(await reader.PostAsync($"/s/{guarded}", new FormUrlEncodedContent(new Dictionary<string, string> { ["passphrase"] = "a wrong passphrase nobody logs" })), HttpStatusCode.Forbidden);
        await (await reader.PostJsonAsync($"/api/one-time-secrets/{guarded}/reveal", new { passphrase = "a passphrase nobody logs" })).ExpectAsync(HttpStatusCode.OK);
        await RevealPageTests.ExpectPageAsync(await reader.GetAsync($"/s/{unknown}"), HttpStatusCode.NotFound);
        await (await reader.PostJsonAsync($"/api/one-time-secrets/{unknown}/reveal", "{}")).ExpectProblemAsync(HttpStatusCode.NotFound);

        var lines = app.Logs.Lines.ToList();
        // The requests were logged in detail (endpoint selection, results), just not their paths.
        Assert.Contains(lines, line => line.Contains("ShowSecretLink", StringComparison.Ordinal));
        Assert.Contains(lines, line => line.Contains("RevealSecret", StringComparison.Ordinal));
        foreach (var sensitive in new[] { plain, guarded, unknown, "passphrase nobody logs", secret.ClientSecret })
        {
            Assert.DoesNotContain(lines, line => line.Contains(sensitive, StringComparison.Ordinal));
        }
    }
}
