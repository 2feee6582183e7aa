using System.Net;
using ServerlessCreds.Callers;
using ServerlessCreds.Host.Tests.Api;
using ServerlessCreds.Testing.CommunicationEmail;

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

    /// <summary>Emails a link to the application's secret through the API and returns the token from the sent email.</summary>
    public static async Task<string> SendAsync(ServerlessCredsApplication app, SentSecret secret, string? passphrase = null)
    {
        using var client = app.CreateClient(secret.BusinessUnit, Roles.SendSecretEmail);
        var recipient = $"reader-{Guid.NewGuid():N}@example.com";
        await (await client.PostJsonAsync($"/api/business-units/{secret.BusinessUnit}/applications/{secret.ApplicationId}/secret-emails", new { recipientEmail = recipient, passphrase }))
            .ExpectAsync(HttpStatusCode.Accepted);

        SentEmail? email = null;
        await Eventually.TrueAsync(() => (email = app.Email.SentMessages.SingleOrDefault(m => m.To.Any(t => t.Address == recipient))) is not null, TimeSpan.FromSeconds(30), "the email is sent");
        return SecretEmails.SecretEmailFlow.TokenIn(email!);
    }

    /// <summary>A well-formed token that no link has.</summary>
    public static string UnknownToken() => SecretLinks.LinkTokens.Derive(Guid.NewGuid().ToByteArray(), "nobody");
}
