using ServerlessCreds.Testing;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using ServerlessCreds.Callers;
using ServerlessCreds.Testing.Callers;

namespace ServerlessCreds.Host.Tests.Authentication;

public sealed class BearerTokenTests
{
    // Made by `dotnet user-jwts create --name alice --role ApiApplications.View --role ApiApplications.Edit --claim bu=bu1
    // --audience api://serverlesscreds`; the key was reset afterwards, so it signs nothing real.
    const string UserSecretsJson =
        """{"Authentication:Schemes:Bearer:SigningKeys":[{"Id":"fd4644c5","Issuer":"dotnet-user-jwts","Value":"AuamunTRFg9jra5daMaWB90J3uvTU8/SxMoCUB\u002BUAy8=","Length":32}]}""";

    const string UserJwtsToken =
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ1bmlxdWVfbmFtZSI6ImFsaWNlIiwic3ViIjoiYWxpY2UiLCJqdGkiOiI5YjJjNGIyYSIsInJvbGUiOlsiQXBpQXBwbGljYXRpb25zLlZpZXciLCJBcGlBcHBsaWNhdGlvbnMuRWRpdCJdLCJidSI6ImJ1MSIsImF1ZCI6ImFwaTovL3NlcnZlcmxlc3NjcmVkcyIsIm5iZiI6MTc5NTI0NTkzNywiZXhwIjoxODAzMTk0NzM3LCJpYXQiOjE3OTUyNDU5MzgsImlzcyI6ImRvdG5ldC11c2VyLWp3dHMifQ.i_u9ycsr-xhwzk0Ylcg5QW8lWzNBObNZFAN3-AyBE94";

    // What user-jwts wrote into appsettings.Development.json.
    const string AppSettingsJson =
        """{"Authentication":{"Schemes":{"Bearer":{"ValidAudiences":["api://serverlesscreds"],"ValidIssuer":"dotnet-user-jwts"}}}}""";

    const string Malformed = "The token is malformed or uses an algorithm other than HS256 or RS256.";

    readonly string signingKey = TestTokens.NewSigningKey();

    [Fact]
    public async Task A_token_made_by_dotnet_user_jwts_authenticates_with_the_settings_it_wrote()
    {
        var settings = new ConfigurationBuilder()
            .AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(AppSettingsJson)))
            .AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(UserSecretsJson)))
            .Build()
            .AsEnumerable()
            .ToDictionary();
        var clock = new ManualTimeProvider(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero));
        await using var app = await AuthTestApp.StartAsync(settings, clock);

        var caller = await app.GetAuthenticatedCallerAsync(UserJwtsToken);

        Assert.Equal("alice", caller.Id);
        Assert.Equal("alice", caller.Name);
        Assert.Equal([Roles.Edit, Roles.View], caller.Roles);
        Assert.Equal("bu1", caller.BusinessUnit);
    }

    [Fact]
    public async Task A_TestTokens_token_yields_the_caller_it_describes()
    {
        await using var app = await AuthTestApp.StartAsync(TestTokens.Settings(signingKey));

        var admin = await app.GetAuthenticatedCallerAsync(
            TestTokens.Create(signingKey, subject: "u-42", roles: [Roles.PlatformAdmin], businessUnit: "bu7", name: "Ada"));
        var viewer = await app.GetAuthenticatedCallerAsync(TestTokens.Create(signingKey, roles: [Roles.View, Roles.Create]));

        Assert.Equal(("u-42", "Ada", "bu7"), (admin.Id, admin.Name, admin.BusinessUnit));
        Assert.Equal([Roles.PlatformAdmin], admin.Roles);
        Assert.Equal(("tester", "tester", null), (viewer.Id, viewer.Name, viewer.BusinessUnit));
        Assert.Equal([Roles.Create, Roles.View], viewer.Roles);
    }

    [Fact]
    public async Task No_authorization_header_gets_a_plain_bearer_challenge()
    {
        await using var app = await AuthTestApp.StartAsync(TestTokens.Settings(signingKey));

        var response = await app.GetCallerAsync(bearerToken: null);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", Assert.Single(response.Headers.WwwAuthenticate).ToString());
        await ProblemAssert.BodyAsync(response, 401, "Unauthorized", "This request needs a bearer token.");
    }

    [Fact]
    public async Task Another_authorization_scheme_is_not_a_principal()
    {
        await using var app = await AuthTestApp.StartAsync(TestTokens.Settings(signingKey));
        var request = new HttpRequestMessage(HttpMethod.Get, "/caller");
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", "YWxpY2U6c2VjcmV0");

        var response = await app.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", Assert.Single(response.Headers.WwwAuthenticate).ToString());
    }

    [Fact]
    public async Task A_caller_without_the_needed_role_gets_403_problem()
    {
        await using var app = await AuthTestApp.StartAsync(TestTokens.Settings(signingKey));

        var response = await app.GetCallerAsync(TestTokens.Create(signingKey, roles: [Roles.View]), "/admin");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        await ProblemAssert.BodyAsync(response, 403, "Forbidden", "The caller lacks a role this request needs.");
        Assert.Equal(HttpStatusCode.NoContent,
            (await app.GetCallerAsync(TestTokens.Create(signingKey, roles: [Roles.PlatformAdmin]), "/admin")).StatusCode);
    }

    [Fact]
    public async Task With_problem_details_registered_the_challenge_carries_a_trace_id()
    {
        await using var app = await AuthTestApp.StartAsync(TestTokens.Settings(signingKey), addProblemDetails: true);

        var response = await app.GetCallerAsync("garbage");

        var problem = await ProblemAssert.BodyAsync(response, 401, "Unauthorized", Malformed);
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("traceId").GetString()));
    }

    [Fact]
    public async Task A_tampered_payload_is_rejected()
    {
        var parts = TestTokens.Create(signingKey, subject: "alice").Split('.');
        var forged = TestJwt.Payload(subject: "mallory");
        forged["role"] = Roles.PlatformAdmin;

        await AssertRejectedAsync($"{parts[0]}.{CompactJwt.Encode(forged.ToJsonString())}.{parts[2]}", "The token signature is invalid.");
    }

    [Fact]
    public async Task A_tampered_signature_is_rejected()
    {
        var parts = TestTokens.Create(signingKey).Split('.');
        var signature = (parts[2][0] == 'A' ? "B" : "A") + parts[2][1..];

        await AssertRejectedAsync($"{parts[0]}.{parts[1]}.{signature}", "The token signature is invalid.");
    }

    [Fact]
    public async Task A_token_signed_with_another_key_is_rejected()
    {
        await AssertRejectedAsync(TestTokens.Create(TestTokens.NewSigningKey()), "The token signature is invalid.");
    }

    [Fact]
    public async Task Alg_none_is_rejected_with_or_without_a_signature()
    {
        var header = CompactJwt.Encode("""{"alg":"none","typ":"JWT"}""");
        var payload = CompactJwt.Encode(TestJwt.Payload().ToJsonString());
        var validSignature = TestTokens.Create(signingKey).Split('.')[2];

        await AssertRejectedAsync($"{header}.{payload}.", Malformed);
        await AssertRejectedAsync($"{header}.{payload}", Malformed);
        await AssertRejectedAsync($"{header}.{payload}.{validSignature}", Malformed);
    }

    [Theory]
    [InlineData("""{"alg":"HS512"}""")]
    [InlineData("""{"alg":"hs256"}""")]
    [InlineData("""{"typ":"JWT"}""")]
    [InlineData("""{"alg":["HS256"]}""")]
    [InlineData("""{"alg":"HS256","crit":["exp"]}""")]
    [InlineData("""{"alg":"HS256","alg":"none"}""")]
    [InlineData("""{"alg":"HS256","kid":7}""")]
    [InlineData("""["HS256"]""")]
    public async Task A_header_other_than_a_plain_hs256_or_rs256_one_is_rejected(string headerJson)
    {
        var key = Convert.FromBase64String(signingKey);
        var token = CompactJwt.Sign(headerJson, TestJwt.Payload().ToJsonString(), input => HMACSHA256.HashData(key, input));

        await AssertRejectedAsync(token, Malformed);
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("a.b")]
    [InlineData("a.b.c.d")]
    [InlineData("..")]
    [InlineData("eyJhbGciOiJIUzI1NiJ9.e30.AAAA.")]
    [InlineData("eyJhbGciOiJIUzI1NiJ9=.e30.AAAA")]
    [InlineData("eyJhbGciOiJIUzI1NiJ9.e30.AA+/")]
    [InlineData("eyJhbGciOiJIUzI1NiJ9.e31.AAAA")]
    [InlineData("eyJhbGciOiJIUzI1NiJ9.W10.AAAA")]
    [InlineData("eyJhbGciOiJIUzI1NiJ9.bnVsbA.AAAA")]
    [InlineData("eyJhbGciOiJIUzI1NiJ9.e30.A")]
    public async Task A_token_that_is_not_three_base64url_json_parts_is_rejected(string token)
    {
        await AssertRejectedAsync(token, Malformed);
    }

    [Fact]
    public async Task A_payload_with_a_duplicate_claim_is_rejected()
    {
        var key = Convert.FromBase64String(signingKey);
        var token = CompactJwt.Sign("""{"alg":"HS256"}""",
            $$"""{"sub":"alice","sub":"admin","iss":"dotnet-user-jwts","aud":"{{TestJwt.Audience}}","exp":{{DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds()}}}""",
            input => HMACSHA256.HashData(key, input));

        await AssertRejectedAsync(token, Malformed);
    }

    [Fact]
    public async Task A_huge_token_is_rejected_before_parsing()
    {
        var payload = TestJwt.Payload();
        payload["padding"] = new string('x', 20_000);

        await AssertRejectedAsync(TestJwt.Hs256(signingKey, payload), "The token is too large.");
    }

    [Fact]
    public async Task A_wrong_issuer_is_rejected()
    {
        await AssertRejectedAsync(TestJwt.Hs256(signingKey, TestJwt.Payload(issuer: "https://evil.example")), "The token issuer is not accepted.");
    }

    [Fact]
    public async Task A_signing_key_only_verifies_tokens_of_its_own_issuer()
    {
        var settings = TestTokens.Settings(signingKey);
        settings["Authentication:Schemes:Bearer:ValidIssuers:0"] = "other-issuer";
        await using var app = await AuthTestApp.StartAsync(settings);

        var response = await app.GetCallerAsync(TestJwt.Hs256(signingKey, TestJwt.Payload(issuer: "other-issuer")));

        await ProblemAssert.InvalidTokenAsync(response, "The token signature is invalid.");
    }

    [Fact]
    public async Task A_wrong_audience_is_rejected_and_an_array_audience_needs_one_match()
    {
        var wrong = TestJwt.Payload();
        wrong["aud"] = "api://someone-else";
        var wrongArray = TestJwt.Payload();
        wrongArray["aud"] = new JsonArray("api://a", "api://b");
        var goodArray = TestJwt.Payload();
        goodArray["aud"] = new JsonArray("api://a", TestJwt.Audience);
        var missing = TestJwt.Payload();
        missing.Remove("aud");

        await AssertRejectedAsync(TestJwt.Hs256(signingKey, wrong), "The token audience is not accepted.");
        await AssertRejectedAsync(TestJwt.Hs256(signingKey, wrongArray), "The token audience is not accepted.");
        await AssertRejectedAsync(TestJwt.Hs256(signingKey, missing), "The token audience is not accepted.");
        await using var app = await AuthTestApp.StartAsync(TestTokens.Settings(signingKey));
        Assert.Equal(HttpStatusCode.OK, (await app.GetCallerAsync(TestJwt.Hs256(signingKey, goodArray))).StatusCode);
    }

    [Fact]
    public async Task An_expired_token_is_rejected_once_past_the_clock_skew()
    {
        var clock = new ManualTimeProvider(DateTimeOffset.UtcNow);
        await using var app = await AuthTestApp.StartAsync(TestTokens.Settings(signingKey), clock);
        var token = TestTokens.Create(signingKey, expires: clock.GetUtcNow());

        clock.Advance(TimeSpan.FromMinutes(4));
        Assert.Equal(HttpStatusCode.OK, (await app.GetCallerAsync(token)).StatusCode);

        clock.Advance(TimeSpan.FromMinutes(1));
        await ProblemAssert.InvalidTokenAsync(await app.GetCallerAsync(token), "The token has expired.");
    }

    [Fact]
    public async Task A_token_whose_nbf_is_in_the_future_is_rejected()
    {
        var payload = TestJwt.Payload();
        payload["nbf"] = DateTimeOffset.UtcNow.AddMinutes(10).ToUnixTimeSeconds();

        await AssertRejectedAsync(TestJwt.Hs256(signingKey, payload), "The token is not valid yet.");
    }

    [Fact]
    public async Task A_token_without_exp_or_with_a_string_exp_is_rejected()
    {
        var missing = TestJwt.Payload();
        missing.Remove("exp");
        var text = TestJwt.Payload();
        text["exp"] = "4102444800";

        await AssertRejectedAsync(TestJwt.Hs256(signingKey, missing), "The token has no valid expiry.");
        await AssertRejectedAsync(TestJwt.Hs256(signingKey, text), "The token has no valid expiry.");
    }

    [Fact]
    public async Task A_token_without_sub_or_oid_is_rejected()
    {
        var payload = TestJwt.Payload();
        payload.Remove("sub");

        await AssertRejectedAsync(TestJwt.Hs256(signingKey, payload), "The token names no subject (oid or sub).");
    }

    [Fact]
    public async Task Two_authorization_headers_are_rejected()
    {
        await using var app = await AuthTestApp.StartAsync(TestTokens.Settings(signingKey));
        var request = new HttpRequestMessage(HttpMethod.Get, "/caller");
        request.Headers.TryAddWithoutValidation("Authorization", ["Bearer " + TestTokens.Create(signingKey), "Bearer x.y.z"]);

        await ProblemAssert.InvalidTokenAsync(await app.Client.SendAsync(request), "Send exactly one Authorization header.");
    }

    [Fact]
    public async Task Start_fails_without_an_authority_or_signing_keys()
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() =>
            AuthTestApp.StartAsync(new Dictionary<string, string?> { ["Authentication:Schemes:Bearer:ValidAudiences:0"] = "api://x" }));

        Assert.Contains("Set Authentication:Schemes:Bearer:Authority, Authentication:Schemes:Bearer:SigningKeys, or both.", error.Failures);
    }

    [Fact]
    public async Task Start_fails_on_a_short_key_a_plain_http_authority_and_missing_audiences_and_issuers()
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => AuthTestApp.StartAsync(new Dictionary<string, string?>
        {
            ["Authentication:Schemes:Bearer:Authority"] = "http://login.example.com/tenant/v2.0",
            ["Authentication:Schemes:Bearer:SigningKeys:0:Issuer"] = TestTokens.Issuer,
            ["Authentication:Schemes:Bearer:SigningKeys:0:Value"] = Convert.ToBase64String(new byte[16]),
        }));

        Assert.Equal(
            [
                "Authentication:Schemes:Bearer:Authority must be an absolute https URL.",
                "Authentication:Schemes:Bearer:SigningKeys:0: Value must hold at least 32 bytes.",
                "Authentication:Schemes:Bearer:SigningKeys need Authentication:Schemes:Bearer:ValidIssuer or ValidIssuers.",
                "Authentication:Schemes:Bearer:ValidAudiences must list at least one audience.",
            ],
            error.Failures);
    }

    [Fact]
    public async Task Caller_authentication_brings_no_data_protection_key_ring_to_load_at_start()
    {
        await using var app = await AuthTestApp.StartAsync(TestTokens.Settings(signingKey));

        Assert.Null(app.Services.GetService<IDataProtectionProvider>());
        Assert.DoesNotContain(app.Services.GetServices<IHostedService>(),
            service => service.GetType().Namespace!.StartsWith("Microsoft.AspNetCore.DataProtection", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.OK, (await app.GetCallerAsync(TestTokens.Create(signingKey))).StatusCode);
    }

    async Task AssertRejectedAsync(string token, string detail)
    {
        await using var app = await AuthTestApp.StartAsync(TestTokens.Settings(signingKey));

        var response = await app.GetCallerAsync(token);

        await ProblemAssert.InvalidTokenAsync(response, detail);
        Assert.Contains(app.Logs.Messages, m => m.Contains(detail, StringComparison.Ordinal));
        Assert.DoesNotContain(app.Logs.Messages, m => m.Contains(token, StringComparison.Ordinal)
            || token.Split('.').Any(part => part.Length > 8 && m.Contains(part, StringComparison.Ordinal)));
    }
}
