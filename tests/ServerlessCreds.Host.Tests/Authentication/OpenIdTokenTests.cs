using ServerlessCreds.Testing;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using ServerlessCreds.Callers;
using ServerlessCreds.Common;
using ServerlessCreds.Testing.Callers;

namespace ServerlessCreds.Host.Tests.Authentication;

public sealed class OpenIdTokenTests
{
    [Fact]
    public async Task An_entra_shaped_rs256_token_yields_its_caller()
    {
        await using var idp = await OpenIdTestServer.StartAsync();
        var (kid, key) = idp.AddKey();
        await using var app = await AuthTestApp.StartAsync(Settings(idp));
        var payload = EntraPayload(idp);

        var caller = await app.GetAuthenticatedCallerAsync(TestJwt.Rs256(key, kid, payload));

        Assert.Equal("8d0c1a52-7a42-4c65-9f38-3c3f6f2e5a10", caller.Id);
        Assert.Equal("Ada Lovelace", caller.Name);
        Assert.Equal([Roles.Edit, Roles.View], caller.Roles);
        Assert.Equal("bu1", caller.BusinessUnit);
        Assert.Equal(1, idp.JwksRequests);
    }

    [Fact]
    public async Task The_keys_are_fetched_while_the_host_starts_so_the_first_request_does_not_wait_for_the_identity_provider()
    {
        var idp = await OpenIdTestServer.StartAsync();
        var (kid, key) = idp.AddKey();
        var token = TestJwt.Rs256(key, kid, EntraPayload(idp));
        await using var app = await AuthTestApp.StartAsync(Settings(idp));
        await Eventually.TrueAsync(() => idp.JwksRequests == 1, TimeSpan.FromSeconds(10), "the keys are fetched at start");

        // Gone before any request: only keys fetched at start can let the token through.
        await idp.DisposeAsync();

        Assert.Equal(HttpStatusCode.OK, (await app.GetCallerAsync(token)).StatusCode);
    }

    [Fact]
    public async Task After_a_failed_fetch_at_start_the_first_request_fetches_the_keys()
    {
        await using var idp = await OpenIdTestServer.StartAsync();
        var (kid, key) = idp.AddKey();
        idp.Unavailable = true;
        await using var app = await AuthTestApp.StartAsync(Settings(idp));
        await Eventually.TrueAsync(() => app.Logs.Messages.Any(m => m.StartsWith("Could not load the OpenID Connect signing keys.", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(10), "the fetch at start has failed");
        Assert.Equal(0, idp.JwksRequests);

        idp.Unavailable = false;

        Assert.Equal(HttpStatusCode.OK, (await app.GetCallerAsync(TestJwt.Rs256(key, kid, EntraPayload(idp)))).StatusCode);
        Assert.Equal(2, idp.DiscoveryRequests);
        Assert.Equal(1, idp.JwksRequests);
    }

    [Fact]
    public async Task Concurrent_requests_share_the_imported_key_and_each_gets_its_own_verdict()
    {
        await using var idp = await OpenIdTestServer.StartAsync();
        var (kid, key) = idp.AddKey();
        await using var app = await AuthTestApp.StartAsync(Settings(idp));
        var tokens = Enumerable.Range(0, 64).Select(i =>
        {
            var payload = EntraPayload(idp);
            payload["oid"] = $"caller-{i}";
            var token = TestJwt.Rs256(key, kid, payload);

            // Every other token carries another caller's signature: made with the key, but not for this payload.
            var other = TestJwt.Rs256(key, kid, EntraPayload(idp));
            return i % 2 == 0 ? token : token[..token.LastIndexOf('.')] + other[other.LastIndexOf('.')..];
        }).ToList();

        var statuses = await Task.WhenAll(tokens.Select(async t => (await app.GetCallerAsync(t)).StatusCode));

        Assert.Equal(tokens.Select((_, i) => i % 2 == 0 ? HttpStatusCode.OK : HttpStatusCode.Unauthorized), statuses);
        Assert.Equal(1, idp.JwksRequests);
    }

    [Fact]
    public async Task Keys_are_cached_and_a_new_kid_is_fetched_at_most_every_five_minutes()
    {
        await using var idp = await OpenIdTestServer.StartAsync();
        var (oldKid, oldKey) = idp.AddKey();
        var clock = new ManualTimeProvider(DateTimeOffset.UtcNow);
        await using var app = await AuthTestApp.StartAsync(Settings(idp), clock);
        Assert.Equal(HttpStatusCode.OK, (await app.GetCallerAsync(TestJwt.Rs256(oldKey, oldKid, EntraPayload(idp)))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await app.GetCallerAsync(TestJwt.Rs256(oldKey, oldKid, EntraPayload(idp)))).StatusCode);
        Assert.Equal(1, idp.JwksRequests);

        var (newKid, newKey) = idp.AddKey();
        clock.Advance(TimeSpan.FromMinutes(4));
        await ProblemAssert.InvalidTokenAsync(
            await app.GetCallerAsync(TestJwt.Rs256(newKey, newKid, EntraPayload(idp))), "The token signing key is unknown.");
        Assert.Equal(1, idp.JwksRequests);

        clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(HttpStatusCode.OK, (await app.GetCallerAsync(TestJwt.Rs256(newKey, newKid, EntraPayload(idp)))).StatusCode);
        Assert.Equal(2, idp.JwksRequests);
    }

    [Fact]
    public async Task A_key_dropped_from_the_jwks_stops_working_after_the_daily_refresh()
    {
        await using var idp = await OpenIdTestServer.StartAsync();
        var (kid, key) = idp.AddKey();
        var clock = new ManualTimeProvider(DateTimeOffset.UtcNow);
        await using var app = await AuthTestApp.StartAsync(Settings(idp), clock);
        Assert.Equal(HttpStatusCode.OK, (await app.GetCallerAsync(TestJwt.Rs256(key, kid, EntraPayload(idp)))).StatusCode);

        idp.RemoveKey(kid);
        clock.Advance(TimeSpan.FromHours(24));

        // The token is re-made so only the key, not its lifetime, decides.
        var payload = EntraPayload(idp);
        payload["exp"] = clock.GetUtcNow().AddHours(1).ToUnixTimeSeconds();
        payload["nbf"] = clock.GetUtcNow().ToUnixTimeSeconds();
        await ProblemAssert.InvalidTokenAsync(await app.GetCallerAsync(TestJwt.Rs256(key, kid, payload)), "The token signing key is unknown.");
        Assert.Equal(2, idp.JwksRequests);
    }

    [Fact]
    public async Task A_token_signed_by_an_unpublished_key_under_a_published_kid_is_rejected()
    {
        await using var idp = await OpenIdTestServer.StartAsync();
        var (kid, _) = idp.AddKey();
        using var attackerKey = RSA.Create(2048);
        await using var app = await AuthTestApp.StartAsync(Settings(idp));

        var response = await app.GetCallerAsync(TestJwt.Rs256(attackerKey, kid, EntraPayload(idp)));

        await ProblemAssert.InvalidTokenAsync(response, "The token signature is invalid.");
    }

    [Fact]
    public async Task An_rs256_token_with_a_foreign_issuer_or_audience_is_rejected()
    {
        await using var idp = await OpenIdTestServer.StartAsync();
        var (kid, key) = idp.AddKey();
        await using var app = await AuthTestApp.StartAsync(Settings(idp));
        var otherTenant = EntraPayload(idp);
        otherTenant["iss"] = "https://login.microsoftonline.com/99999999-0000-0000-0000-000000000000/v2.0";
        var otherApi = EntraPayload(idp);
        otherApi["aud"] = "api://another-api";

        await ProblemAssert.InvalidTokenAsync(await app.GetCallerAsync(TestJwt.Rs256(key, kid, otherTenant)), "The token issuer is not accepted.");
        await ProblemAssert.InvalidTokenAsync(await app.GetCallerAsync(TestJwt.Rs256(key, kid, otherApi)), "The token audience is not accepted.");
    }

    [Fact]
    public async Task An_rs256_token_without_kid_is_rejected()
    {
        await using var idp = await OpenIdTestServer.StartAsync();
        var (_, key) = idp.AddKey();
        await using var app = await AuthTestApp.StartAsync(Settings(idp));
        var token = CompactJwt.Sign("""{"alg":"RS256","typ":"JWT"}""", EntraPayload(idp).ToJsonString(),
            input => key.SignData(input, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));

        await ProblemAssert.InvalidTokenAsync(await app.GetCallerAsync(token), "The token names no signing key (kid).");
    }

    [Fact]
    public async Task An_hs256_token_is_rejected_when_only_an_authority_is_configured()
    {
        await using var idp = await OpenIdTestServer.StartAsync();
        idp.AddKey();
        await using var app = await AuthTestApp.StartAsync(Settings(idp));

        var response = await app.GetCallerAsync(TestJwt.Hs256(TestTokens.NewSigningKey(), EntraPayload(idp)));

        await ProblemAssert.InvalidTokenAsync(response, "The token algorithm is not accepted.");
    }

    [Fact]
    public async Task The_rsa_public_key_used_as_an_hmac_secret_is_rejected()
    {
        await using var idp = await OpenIdTestServer.StartAsync();
        var (kid, key) = idp.AddKey();
        await using var app = await AuthTestApp.StartAsync(Settings(idp));
        var publicKeyForms = new[]
        {
            key.ExportSubjectPublicKeyInfo(),
            key.ExportRSAPublicKey(),
            Encoding.ASCII.GetBytes(key.ExportSubjectPublicKeyInfoPem()),
            key.ExportParameters(includePrivateParameters: false).Modulus!,
        };

        foreach (var secret in publicKeyForms)
        {
            var token = CompactJwt.Sign(new JsonObject { ["alg"] = "HS256", ["kid"] = kid }.ToJsonString(), EntraPayload(idp).ToJsonString(),
                input => HMACSHA256.HashData(secret, input));
            await ProblemAssert.InvalidTokenAsync(await app.GetCallerAsync(token), "The token algorithm is not accepted.");
        }
    }

    [Fact]
    public async Task An_rs256_token_is_rejected_when_only_signing_keys_are_configured()
    {
        await using var idp = await OpenIdTestServer.StartAsync();
        var (kid, key) = idp.AddKey();
        await using var app = await AuthTestApp.StartAsync(TestTokens.Settings(TestTokens.NewSigningKey(), TestJwt.Audience));

        var response = await app.GetCallerAsync(TestJwt.Rs256(key, kid, EntraPayload(idp, issuer: TestTokens.Issuer)));

        await ProblemAssert.InvalidTokenAsync(response, "The token algorithm is not accepted.");
        Assert.Equal(0, idp.JwksRequests);
    }

    [Fact]
    public async Task Hs256_and_rs256_tokens_both_work_when_both_sources_are_configured()
    {
        await using var idp = await OpenIdTestServer.StartAsync();
        var (kid, key) = idp.AddKey();
        var signingKey = TestTokens.NewSigningKey();
        var settings = TestTokens.Settings(signingKey, TestJwt.Audience);
        foreach (var (name, value) in Settings(idp))
        {
            settings[name] = value;
        }

        await using var app = await AuthTestApp.StartAsync(settings);

        Assert.Equal(HttpStatusCode.OK, (await app.GetCallerAsync(TestJwt.Rs256(key, kid, EntraPayload(idp)))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await app.GetCallerAsync(TestTokens.Create(signingKey, audience: TestJwt.Audience))).StatusCode);
    }

    [Fact]
    public async Task An_unreachable_authority_makes_the_identity_provider_unavailable_not_the_caller_unauthorized()
    {
        var idp = await OpenIdTestServer.StartAsync();
        var (kid, key) = idp.AddKey();
        var settings = Settings(idp);
        var token = TestJwt.Rs256(key, kid, EntraPayload(idp));
        await idp.DisposeAsync();
        await using var app = await AuthTestApp.StartAsync(settings);

        var error = await Assert.ThrowsAsync<DependencyUnavailableException>(() => app.GetCallerAsync(token));

        Assert.Equal("identity provider metadata", error.Dependency);
        Assert.DoesNotContain(app.Logs.Messages, m => m.Contains(token.Split('.')[2], StringComparison.Ordinal));
    }

    static Dictionary<string, string?> Settings(OpenIdTestServer idp) => idp.Settings(TestJwt.Audience);

    /// <summary>The claims of an Entra ID v2 access token for this API.</summary>
    static JsonObject EntraPayload(OpenIdTestServer idp, string? issuer = null)
    {
        var payload = TestJwt.Payload(issuer ?? idp.Issuer, subject: "pairwise-subject-value");
        payload["oid"] = "8d0c1a52-7a42-4c65-9f38-3c3f6f2e5a10";
        payload["tid"] = "11111111-2222-3333-4444-555555555555";
        payload["name"] = "Ada Lovelace";
        payload["preferred_username"] = "ada@contoso.example";
        payload["roles"] = new JsonArray(Roles.View, Roles.Edit);
        payload["scp"] = "access_as_user";
        payload["bu"] = "bu1";
        payload["ver"] = "2.0";
        return payload;
    }
}
