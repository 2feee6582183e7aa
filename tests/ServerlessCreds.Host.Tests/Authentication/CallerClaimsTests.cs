using System.Security.Claims;
using System.Text.Json.Nodes;
using ServerlessCreds.Callers;
using ServerlessCreds.Host.Authentication;
using ServerlessCreds.Testing.Callers;

namespace ServerlessCreds.Host.Tests.Authentication;

public sealed class CallerClaimsTests
{
    readonly string signingKey = TestTokens.NewSigningKey();

    [Fact]
    public async Task Roles_come_only_from_roles_and_role_claims()
    {
        var payload = TestJwt.Payload();
        payload["roles"] = new JsonArray(Roles.PlatformAccountManager);
        payload["role"] = Roles.AuditView;
        payload["scp"] = Roles.Edit;
        payload["groups"] = new JsonArray(Roles.Delete);
        payload["wids"] = new JsonArray(Roles.PlatformAdmin);
        payload["http://schemas.microsoft.com/ws/2008/06/identity/claims/role"] = Roles.Create;

        var caller = await GetCallerAsync(payload);

        Assert.Equal([Roles.AuditView, Roles.PlatformAccountManager], caller.Roles);
    }

    [Fact]
    public async Task Non_string_role_values_are_ignored()
    {
        var payload = TestJwt.Payload();
        payload["roles"] = new JsonArray(Roles.View, 7, new JsonObject { ["name"] = Roles.PlatformAdmin }, new JsonArray(Roles.PlatformAdmin));

        var caller = await GetCallerAsync(payload);

        Assert.Equal([Roles.View], caller.Roles);
    }

    [Fact]
    public async Task The_id_prefers_oid_over_sub()
    {
        var payload = TestJwt.Payload(subject: "pairwise-sub");
        payload["oid"] = "object-id";

        Assert.Equal("object-id", (await GetCallerAsync(payload)).Id);
        Assert.Equal("pairwise-sub", (await GetCallerAsync(TestJwt.Payload(subject: "pairwise-sub"))).Id);
    }

    [Theory]
    [InlineData("Display Name", "user@contoso.example", "unique", "Display Name")]
    [InlineData(null, "user@contoso.example", "unique", "user@contoso.example")]
    [InlineData(null, null, "unique", "unique")]
    [InlineData(null, null, null, "alice")]
    public async Task The_name_falls_back_from_name_to_preferred_username_to_unique_name_to_the_id(
        string? name, string? preferredUsername, string? uniqueName, string expected)
    {
        var payload = TestJwt.Payload(subject: "alice");
        payload["name"] = name;
        payload["preferred_username"] = preferredUsername;
        payload["unique_name"] = uniqueName;

        Assert.Equal(expected, (await GetCallerAsync(payload)).Name);
    }

    [Fact]
    public async Task The_business_unit_is_a_single_string_bu_claim()
    {
        var single = TestJwt.Payload();
        single["bu"] = "bu1";
        var several = TestJwt.Payload();
        several["bu"] = new JsonArray("bu1", "bu2");
        var number = TestJwt.Payload();
        number["bu"] = 1;

        Assert.Equal("bu1", (await GetCallerAsync(single)).BusinessUnit);
        Assert.Null((await GetCallerAsync(several)).BusinessUnit);
        Assert.Null((await GetCallerAsync(number)).BusinessUnit);
        Assert.Null((await GetCallerAsync(TestJwt.Payload())).BusinessUnit);
    }

    [Fact]
    public void An_anonymous_principal_is_no_caller()
    {
        Assert.Throws<InvalidOperationException>(() => new ClaimsPrincipal(new ClaimsIdentity()).ToCaller());
    }

    async Task<CallerView> GetCallerAsync(JsonObject payload)
    {
        await using var app = await AuthTestApp.StartAsync(TestTokens.Settings(signingKey, TestJwt.Audience));
        return await app.GetAuthenticatedCallerAsync(TestJwt.Hs256(signingKey, payload));
    }
}
