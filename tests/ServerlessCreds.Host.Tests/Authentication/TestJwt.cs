using System.Security.Cryptography;
using System.Text.Json.Nodes;
using ServerlessCreds.Testing.Callers;

namespace ServerlessCreds.Host.Tests.Authentication;

/// <summary>Builds arbitrary (also broken) compact JWTs for the negative tests.</summary>
static class TestJwt
{
    public const string Audience = "api://serverlesscreds";
    public const string UserJwtsIssuer = "dotnet-user-jwts";

    /// <summary>A payload valid for an hour that the tests then bend.</summary>
    public static JsonObject Payload(string issuer = UserJwtsIssuer, string subject = "alice")
    {
        var now = DateTimeOffset.UtcNow;
        return new JsonObject
        {
            ["sub"] = subject,
            ["iss"] = issuer,
            ["aud"] = Audience,
            ["nbf"] = now.AddMinutes(-1).ToUnixTimeSeconds(),
            ["exp"] = now.AddHours(1).ToUnixTimeSeconds(),
        };
    }

    public static string Hs256(string base64Key, JsonObject payload) =>
        Hs256(Convert.FromBase64String(base64Key), payload);

    public static string Hs256(byte[] key, JsonObject payload) =>
        CompactJwt.Sign("""{"alg":"HS256","typ":"JWT"}""", payload.ToJsonString(), input => HMACSHA256.HashData(key, input));

    public static string Rs256(RSA key, string kid, JsonObject payload) => CompactJwt.Rs256(key, kid, payload.ToJsonString());
}
