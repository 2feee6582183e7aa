using ServerlessCreds.Credentials;
using ServerlessCreds.Deliveries;

namespace ServerlessCreds.Core.Tests.Deliveries;

public sealed class DeliveryTests
{
    static readonly DateTimeOffset Now = new(2024, 5, 6, 10, 0, 0, TimeSpan.Zero);

    static readonly Delivery Sent = new()
    {
        DeliveryId = "d1",
        BusinessUnit = "retail",
        ApplicationId = "a1",
        SecretId = "s1",
        RecipientEmail = "ana@customer.example",
        CreatedAt = Now.AddHours(-1),
        CreatedBy = "user-1",
        CreatedByName = "Test User",
        ExpiresAt = Now.AddHours(1),
        Status = DeliveryStatus.Sent,
    };

    static ClientSecret Secret(string secretId, DateTimeOffset expiresAt, DateTimeOffset? revokedAt = null) => new()
    {
        SecretId = secretId,
        ApplicationId = "a1",
        BusinessUnit = "retail",
        Hint = "abcd",
        CreatedAt = Now.AddDays(-1),
        ExpiresAt = expiresAt,
        RevokedAt = revokedAt,
        Vault = new VaultSecretVersion($"client-secret-a1-{secretId}", "v1"),
    };

    [Fact]
    public void An_open_delivery_keeps_its_status_while_its_own_secret_is_active_and_sending_reads_queued()
    {
        Assert.Equal(DeliveryStatus.Sent, Sent.EffectiveStatus(Now, [Secret("s1", Now.AddDays(1))]));
        Assert.Equal(DeliveryStatus.Queued, (Sent with { Status = DeliveryStatus.Sending }).EffectiveStatus(Now, [Secret("s1", Now.AddDays(1))]));
    }

    [Fact]
    public void An_open_delivery_reads_revoked_when_its_secret_is_revoked_expired_or_gone()
    {
        Assert.Equal(DeliveryStatus.Revoked, Sent.EffectiveStatus(Now, [Secret("s1", Now.AddDays(1), revokedAt: Now.AddMinutes(-1))]));
        Assert.Equal(DeliveryStatus.Revoked, Sent.EffectiveStatus(Now, [Secret("s1", Now)]));
        Assert.Equal(DeliveryStatus.Revoked, Sent.EffectiveStatus(Now, [Secret("s2", Now.AddDays(1))]));
        Assert.Equal(DeliveryStatus.Revoked, Sent.EffectiveStatus(Now, []));
    }

    [Fact]
    public void A_lapsed_link_reads_expired_and_a_closed_delivery_keeps_its_stored_status()
    {
        Assert.Equal(DeliveryStatus.Expired, Sent.EffectiveStatus(Sent.ExpiresAt, []));
        Assert.Equal(DeliveryStatus.Viewed, (Sent with { Status = DeliveryStatus.Viewed }).EffectiveStatus(Sent.ExpiresAt, []));
    }
}
