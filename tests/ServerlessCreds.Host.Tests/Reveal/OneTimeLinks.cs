using System.Net;
using ServerlessCreds.Callers;
using ServerlessCreds.Host.Tests.Api;
using ServerlessCreds.Host.Tests.SecretEmails;

namespace ServerlessCreds.Host.Tests.Reveal;

/// <summary>An application with a secret, and one-time links to that secret.</summary>
sealed record SentSecret(string BusinessUnit, string ApplicationId, string ApplicationName, string ClientId, string ClientSecret);

static class OneTimeLinks
{
    public static async Task<SentSecret> CreateApplicationAsync(ServerlessCredsApplication app, string applicationName)
    {
        var bu = $"bu{Guid.NewGuid():N}"[..20];
        using var client = app.CreateClient(bu, Roles.Create, Roles.Edit, Roles.View);
        var created = await (await client.PostJsonAsync($"/api/business-units/{bu}/applications", new { kind = "internal", vendorName = "Contoso", applicationName, scopes = new[] { "Admin" } }))
            .ExpectAsync(HttpStatusCode.Created);
        return new SentSecret(bu, created.GetProperty("id").GetString()!, applicationName, created.GetProperty("clientId").GetString()!, created.GetProperty("clientSecret").GetString()!);
    }

    /// <summary>
    /// Emails a link to the application's secret through the API, waits until the delivery says sent (so a reveal cannot
    /// race the sender's own update of it), and returns the token from the email.
    /// </summary>
    public static async Task<string> SendAsync(ServerlessCredsApplication app, SentSecret secret, string? passphrase = null)
    {
        using var client = app.CreateClient(secret.BusinessUnit, Roles.SendSecretEmail, Roles.View);
        var flow = new SecretEmailFlow(app) { BusinessUnit = secret.BusinessUnit };
        var (_, token) = await flow.SendLinkAsync(client, secret.ApplicationId, $"reader-{Guid.NewGuid():N}@example.com", passphrase);
        return token;
    }

    /// <summary>A well-formed token that no link has.</summary>
    public static string UnknownToken() => SecretLinks.LinkTokens.Derive(Guid.NewGuid().ToByteArray(), "nobody");
}
