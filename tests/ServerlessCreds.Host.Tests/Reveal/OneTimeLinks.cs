using System.Net;
using Microsoft.Extensions.DependencyInjection;
using ServerlessCreds.Callers;
using ServerlessCreds.Deliveries;
using ServerlessCreds.Host.Tests.Api;
using ServerlessCreds.SecretLinks;

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

    /// <summary>A sent link to the application's secret; returns its token.</summary>
    public static async Task<string> SendAsync(ServerlessCredsApplication app, SentSecret secret, string? passphrase = null)
    {
        var deliveries = app.Services.GetRequiredService<IDeliveryStore>();
        using var client = app.CreateClient(secret.BusinessUnit, Roles.View);
        var secrets = await (await client.GetAsync($"/api/business-units/{secret.BusinessUnit}/applications/{secret.ApplicationId}/secrets")).ExpectAsync(HttpStatusCode.OK);
        var now = DateTimeOffset.UtcNow;
        var delivery = await deliveries.AddAsync(
            new Delivery
            {
                DeliveryId = Guid.NewGuid().ToString("N"),
                BusinessUnit = secret.BusinessUnit,
                ApplicationId = secret.ApplicationId,
                SecretId = secrets.GetProperty("items")[0].GetProperty("secretId").GetString()!,
                RecipientEmail = "ana@example.com",
                CreatedAt = now,
                CreatedBy = "user-1",
                CreatedByName = "Account Manager",
                ExpiresAt = now.AddHours(1),
                Status = DeliveryStatus.Sent,
                SentAt = now,
                PassphraseHash = passphrase is null ? null : Passphrases.Hash(passphrase),
            },
            CancellationToken.None);
        var token = LinkTokens.Derive(await app.Services.GetRequiredService<ILinkKeySource>().GetKeyAsync(CancellationToken.None), delivery.DeliveryId);
        await deliveries.AddLinkAsync(LinkTokens.Hash(token), delivery, CancellationToken.None);
        return token;
    }

    /// <summary>A well-formed token that no link has.</summary>
    public static string UnknownToken() => LinkTokens.Derive(Guid.NewGuid().ToByteArray(), "nobody");
}
