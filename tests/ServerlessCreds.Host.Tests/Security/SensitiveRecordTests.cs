using ServerlessCreds.Applications;
using ServerlessCreds.Credentials;
using ServerlessCreds.Deliveries;
using ServerlessCreds.Host.Api;
using ServerlessCreds.Host.Reveal;
using ServerlessCreds.SecretLinks;

namespace ServerlessCreds.Host.Tests.Security;

/// <summary>Records that carry a secret value, passphrase or link print without it, should one ever be logged.</summary>
public sealed class SensitiveRecordTests
{
    const string Sensitive = "SENSITIVE-abcdefghijklmnopqrstuvwxyz0123";

    public static TheoryData<object> Records()
    {
        var now = DateTimeOffset.UtcNow;
        var application = new Application
        {
            Id = "app", BusinessUnit = "bu", Kind = ApplicationKind.Internal, VendorName = "V", ApplicationName = "A", Scopes = ["Admin"],
            CallbackUrls = [], ClientId = "client", Enabled = true, CreatedAt = now, CreatedBy = "me", UpdatedAt = now,
        };
        var metadata = new ClientSecret
        {
            SecretId = "s1", ApplicationId = "app", BusinessUnit = "bu", Hint = "0123", CreatedAt = now, ExpiresAt = now.AddDays(1),
            Vault = new VaultSecretVersion("name", "version"),
        };
        return
        [
            new RevealSecretRequest(Sensitive),
            new RevealedSecretResponse("A", "client", Sensitive),
            new CreatedSecretResponse("s1", Sensitive, "0123", now, now),
            new CreatedApplicationResponse(new CreatedApplication(application, new IssuedSecret(metadata, Sensitive))),
            new SecretEmailRequestBody("r@customer.example", null, null, null, Sensitive),
            new SecretEmailRequest("r@customer.example", null, null, null, Sensitive),
            new IssuedSecret(metadata, Sensitive),
            new RevealResult.Revealed("A", "client", Sensitive),
            new SecretEmailTemplate.Content("P", "A", "me", null, now, new Uri($"https://creds.example.test/s/{Sensitive}"), true),
            RevealPages.Revealed(new RevealResult.Revealed("A", "client", Sensitive)),
        ];
    }

    [Theory]
    [MemberData(nameof(Records))]
    public void Printing_leaves_the_sensitive_value_out(object record) =>
        Assert.DoesNotContain(Sensitive, record.ToString(), StringComparison.Ordinal);
}
