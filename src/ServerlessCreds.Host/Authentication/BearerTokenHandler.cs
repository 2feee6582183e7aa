using System.Security.Claims;
using System.Security.Cryptography;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace ServerlessCreds.Host.Authentication;

/// <summary>
/// Validates <c>Authorization: Bearer</c> JWTs: HS256 against the configured signing keys, RS256 against the authority's
/// JWKS; then issuer, audience and lifetime. Failure messages are fixed texts and never contain the token.
/// </summary>
internal sealed class BearerTokenHandler(
    IOptionsMonitor<BearerTokenOptions> options,
    ILoggerFactory loggerFactory,
    UrlEncoder encoder,
    OpenIdSigningKeys openIdSigningKeys,
    AppServicePrincipal appServicePrincipal)
    : AuthenticationHandler<BearerTokenOptions>(options, loggerFactory, encoder)
{
    const string BearerPrefix = "Bearer ";
    const string JsonClaimValueType = "JSON";
    const string JsonArrayClaimValueType = "JSON_ARRAY";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (appServicePrincipal.Trusted && Request.Headers.TryGetValue(AppServicePrincipal.HeaderName, out var principal))
        {
            return principal.Count == 1 && AppServicePrincipal.Parse(principal[0]!) is { } identity
                ? Success(identity)
                : AuthenticateResult.Fail("The App Service client principal is malformed.");
        }

        var authorization = Request.Headers.Authorization;
        if (authorization.Count == 0)
        {
            return AuthenticateResult.NoResult();
        }

        if (authorization.Count > 1)
        {
            return AuthenticateResult.Fail("Send exactly one Authorization header.");
        }

        var value = authorization[0]!;
        if (!value.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticateResult.NoResult();
        }

        var token = value[BearerPrefix.Length..].Trim(' ');
        if (token.Length > JsonWebToken.MaxLength)
        {
            return AuthenticateResult.Fail("The token is too large.");
        }

        if (JsonWebToken.TryParse(token) is not { } jwt)
        {
            return AuthenticateResult.Fail("The token is malformed or uses an algorithm other than HS256 or RS256.");
        }

        var failure = await ValidateAsync(jwt, Options);
        return failure is null ? Success(ToIdentity(jwt.Payload)) : AuthenticateResult.Fail(failure);
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        // Only our own fixed failure texts are shown; anything else (an exception) gets a generic one.
        var failure = (await HandleAuthenticateOnceSafeAsync()).Failure;
        var reason = failure is AuthenticationFailureException ? failure.Message : "The token is invalid.";
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = failure is null ? "Bearer" : $"Bearer error=\"invalid_token\", error_description=\"{reason}\"";
        await TypedResults.Problem(
                detail: failure is null ? "This request needs a bearer token." : reason,
                statusCode: StatusCodes.Status401Unauthorized)
            .ExecuteAsync(Context);
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        TypedResults.Problem(
                detail: "The caller lacks a role this request needs.",
                statusCode: StatusCodes.Status403Forbidden)
            .ExecuteAsync(Context);

    async Task<string?> ValidateAsync(JsonWebToken jwt, BearerTokenOptions options)
    {
        var payload = jwt.Payload;
        if (String(payload, "iss") is not { } issuer)
        {
            return "The token has no issuer.";
        }

        var signatureFailure = jwt.Algorithm == JsonWebToken.Hs256
            ? VerifyHs256(jwt, issuer, options)
            : await VerifyRs256Async(jwt, issuer, options);
        if (signatureFailure is not null)
        {
            return signatureFailure;
        }

        if (!HasAcceptedAudience(payload, options))
        {
            return "The token audience is not accepted.";
        }

        if (!payload.TryGetProperty("exp", out var exp) || !TryGetNumericDate(exp, out var expires))
        {
            return "The token has no valid expiry.";
        }

        var now = TimeProvider.GetUtcNow().ToUnixTimeMilliseconds() / 1000.0;
        var skew = options.ClockSkew.TotalSeconds;
        if (now >= expires + skew)
        {
            return "The token has expired.";
        }

        if (payload.TryGetProperty("nbf", out var nbf))
        {
            if (!TryGetNumericDate(nbf, out var notBefore))
            {
                return "The token has an invalid nbf.";
            }

            if (now + skew < notBefore)
            {
                return "The token is not valid yet.";
            }
        }

        return String(payload, CallerClaims.ObjectId) is null && String(payload, CallerClaims.Subject) is null
            ? "The token names no subject (oid or sub)."
            : null;
    }

    static string? VerifyHs256(JsonWebToken jwt, string issuer, BearerTokenOptions options)
    {
        if (options.SigningKeys.Count == 0)
        {
            return "The token algorithm is not accepted.";
        }

        if (!options.IsAcceptedIssuer(issuer))
        {
            return "The token issuer is not accepted.";
        }

        var matched = false;
        foreach (var key in options.SigningKeys.Where(k => string.Equals(k.Issuer, issuer, StringComparison.Ordinal)))
        {
            var expected = HMACSHA256.HashData(key.KeyBytes(), jwt.SigningInput);
            matched |= CryptographicOperations.FixedTimeEquals(expected, jwt.Signature);
        }

        return matched ? null : "The token signature is invalid.";
    }

    async Task<string?> VerifyRs256Async(JsonWebToken jwt, string issuer, BearerTokenOptions options)
    {
        if (string.IsNullOrEmpty(options.Authority))
        {
            return "The token algorithm is not accepted.";
        }

        if (string.IsNullOrEmpty(jwt.KeyId))
        {
            return "The token names no signing key (kid).";
        }

        var keySet = await openIdSigningKeys.GetAsync(jwt.KeyId, Context.RequestAborted);
        if (!keySet.Keys.TryGetValue(jwt.KeyId, out var key))
        {
            return "The token signing key is unknown.";
        }

        if (!key.VerifyData(jwt.SigningInput, jwt.Signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1))
        {
            return "The token signature is invalid.";
        }

        return string.Equals(issuer, keySet.Issuer, StringComparison.Ordinal) || options.IsAcceptedIssuer(issuer)
            ? null
            : "The token issuer is not accepted.";
    }

    static bool HasAcceptedAudience(JsonElement payload, BearerTokenOptions options)
    {
        if (!payload.TryGetProperty("aud", out var aud))
        {
            return false;
        }

        return aud.ValueKind switch
        {
            JsonValueKind.String => options.ValidAudiences.Contains(aud.GetString()!, StringComparer.Ordinal),
            JsonValueKind.Array => aud.EnumerateArray().Any(a =>
                a.ValueKind == JsonValueKind.String && options.ValidAudiences.Contains(a.GetString()!, StringComparer.Ordinal)),
            _ => false,
        };
    }

    /// <summary>A JWT NumericDate: seconds since the Unix epoch, possibly fractional.</summary>
    static bool TryGetNumericDate(JsonElement value, out double seconds)
    {
        seconds = 0;
        return value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out seconds) && double.IsFinite(seconds) && seconds >= 0;
    }

    static string? String(JsonElement payload, string name) =>
        payload.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text
            ? text
            : null;

    AuthenticateResult Success(ClaimsIdentity identity) =>
        AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name));

    ClaimsIdentity ToIdentity(JsonElement payload)
    {
        var issuer = String(payload, "iss")!;
        var identity = new ClaimsIdentity(Scheme.Name, CallerClaims.Name, CallerClaims.Roles);
        foreach (var property in payload.EnumerateObject())
        {
            if (property.Value.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in property.Value.EnumerateArray())
                {
                    AddClaim(identity, property.Name, item, issuer);
                }
            }
            else
            {
                AddClaim(identity, property.Name, property.Value, issuer);
            }
        }

        return identity;
    }

    static void AddClaim(ClaimsIdentity identity, string type, JsonElement value, string issuer)
    {
        var (text, valueType) = value.ValueKind switch
        {
            JsonValueKind.String => (value.GetString()!, ClaimValueTypes.String),
            JsonValueKind.Number => (value.GetRawText(), value.TryGetInt64(out _) ? ClaimValueTypes.Integer64 : ClaimValueTypes.Double),
            JsonValueKind.True or JsonValueKind.False => (value.GetBoolean() ? "true" : "false", ClaimValueTypes.Boolean),
            JsonValueKind.Object => (value.GetRawText(), JsonClaimValueType),
            JsonValueKind.Array => (value.GetRawText(), JsonArrayClaimValueType),
            _ => (null, null),
        };
        if (text is not null)
        {
            identity.AddClaim(new Claim(type, text, valueType, issuer));
        }
    }
}
