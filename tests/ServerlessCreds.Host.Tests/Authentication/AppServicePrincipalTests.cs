using System.Text;
using System.Text.Json.Nodes;
using ServerlessCreds.Callers;
using ServerlessCreds.Testing.Callers;

namespace ServerlessCreds.Host.Tests.Authentication;

public sealed class AppServicePrincipalTests
{
    const string RoleType = "http://schemas.microsoft.com/ws/2008/06/identity/claims/role";
    const string NameType = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress";

    readonly string signingKey = TestTokens.NewSigningKey();

    [Fact]
    public async Task The_principal_header_is_used_when_enabled_under_the_functions_host_with_auth_on()
    {
        await using var app = await AuthTestApp.StartAsync(Settings(enabled: "true", websiteAuthEnabled: "True", customHandlerPort: "40123"));

        var caller = await app.GetAuthenticatedCallerAsync(bearerToken: null, EasyAuthPrincipal());

        Assert.Equal("8d0c1a52-7a42-4c65-9f38-3c3f6f2e5a10", caller.Id);
        Assert.Equal("ada@contoso.example", caller.Name);
        Assert.Equal([Roles.Create, Roles.View], caller.Roles);
        Assert.Equal("bu1", caller.BusinessUnit);
    }

    [Theory]
    [InlineData(null, "true", "40123")]
    [InlineData("false", "true", "40123")]
    [InlineData("true", null, "40123")]
    [InlineData("true", "false", "40123")]
    [InlineData("true", "true", null)]
    [InlineData("true", "true", "")]
    public async Task The_principal_header_is_ignored_unless_all_three_conditions_hold(
        string? enabled, string? websiteAuthEnabled, string? customHandlerPort)
    {
        await using var app = await AuthTestApp.StartAsync(Settings(enabled, websiteAuthEnabled, customHandlerPort));

        var anonymous = await app.GetCallerAsync(bearerToken: null, appServicePrincipal: EasyAuthPrincipal());
        var withToken = await app.GetAuthenticatedCallerAsync(
            TestTokens.Create(signingKey, subject: "token-user", roles: [Roles.AuditView]), EasyAuthPrincipal());

        await ProblemAssert.BodyAsync(anonymous, 401, "Unauthorized", "This request needs a bearer token.");
        Assert.Equal("token-user", withToken.Id);
        Assert.Equal([Roles.AuditView], withToken.Roles);
    }

    [Theory]
    [InlineData("not base64!")]
    [InlineData("bnVsbA==")]
    [InlineData("eyJjbGFpbXMiOltdfQ==")]
    public async Task A_malformed_or_subjectless_principal_header_is_rejected_when_trusted(string header)
    {
        await using var app = await AuthTestApp.StartAsync(Settings(enabled: "true", websiteAuthEnabled: "true", customHandlerPort: "40123"));

        var response = await app.GetCallerAsync(bearerToken: null, appServicePrincipal: header);

        await ProblemAssert.InvalidTokenAsync(response, "The App Service client principal is malformed.");
    }

    Dictionary<string, string?> Settings(string? enabled, string? websiteAuthEnabled, string? customHandlerPort)
    {
        var settings = TestTokens.Settings(signingKey);
        settings["Authentication:AppServicePrincipal:Enabled"] = enabled;
        settings["WEBSITE_AUTH_ENABLED"] = websiteAuthEnabled;
        settings["FUNCTIONS_CUSTOMHANDLER_PORT"] = customHandlerPort;
        return settings;
    }

    /// <summary>What App Service Authentication forwards for an Entra ID user, base64 encoded.</summary>
    static string EasyAuthPrincipal()
    {
        var claims = new JsonArray();
        foreach (var (type, value) in new[]
        {
            ("aud", "api://serverlesscreds"),
            ("http://schemas.microsoft.com/identity/claims/objectidentifier", "8d0c1a52-7a42-4c65-9f38-3c3f6f2e5a10"),
            ("http://schemas.xmlsoap.org/ws/2005/05/identity/claims/nameidentifier", "pairwise-subject-value"),
            (NameType, "ada@contoso.example"),
            (RoleType, Roles.View),
            ("roles", Roles.Create),
            ("groups", Roles.PlatformAdmin),
            ("bu", "bu1"),
        })
        {
            claims.Add(new JsonObject { ["typ"] = type, ["val"] = value });
        }

        var principal = new JsonObject { ["auth_typ"] = "aad", ["claims"] = claims, ["name_typ"] = NameType, ["role_typ"] = RoleType };
        return Convert.ToBase64String(Encoding.UTF8.GetBytes(principal.ToJsonString()));
    }
}
