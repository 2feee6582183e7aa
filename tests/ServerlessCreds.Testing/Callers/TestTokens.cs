using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace ServerlessCreds.Testing.Callers;

/// <summary>
/// HS256 tokens shaped like <c>dotnet user-jwts create</c> output, so API tests authenticate through the real bearer
/// handler: put <see cref="Settings"/> into the host's configuration, then send <see cref="Create"/> as the bearer token.
/// </summary>
public static class TestTokens
{
    public const string Issuer = "dotnet-user-jwts";
    public const string DefaultAudience = "api://serverlesscreds";

    /// <summary>A fresh random 32-byte key, base64 as in user secrets.</summary>
    public static string NewSigningKey() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    /// <summary>The configuration <c>dotnet user-jwts</c> would produce for <paramref name="signingKey"/>.</summary>
    public static Dictionary<string, string?> Settings(string signingKey, string audience = DefaultAudience) => new()
    {
        ["Authentication:Schemes:Bearer:SigningKeys:0:Id"] = "test",
        ["Authentication:Schemes:Bearer:SigningKeys:0:Issuer"] = Issuer,
        ["Authentication:Schemes:Bearer:SigningKeys:0:Value"] = signingKey,
        ["Authentication:Schemes:Bearer:ValidIssuer"] = Issuer,
        ["Authentication:Schemes:Bearer:ValidAudiences:0"] = audience,
    };

    /// <summary>
    /// A token with <c>sub</c> = <paramref name="subject"/>, <c>unique_name</c> = <paramref name="name"/> (default: the
    /// subject), <c>role</c> (a string for one role, an array for several), optional <c>bu</c>, valid from a minute ago
    /// until <paramref name="expires"/> (default: in one hour).
    /// </summary>
    public static string Create(
        string signingKey,
        string subject = "tester",
        IEnumerable<string>? roles = null,
        string? businessUnit = null,
        string? name = null,
        string audience = DefaultAudience,
        DateTimeOffset? expires = null)
    {
        var now = DateTimeOffset.UtcNow;
        var roleList = roles?.ToList() ?? [];
        using var payload = new MemoryStream();
        using (var writer = new Utf8JsonWriter(payload))
        {
            writer.WriteStartObject();
            writer.WriteString("unique_name", name ?? subject);
            writer.WriteString("sub", subject);
            writer.WriteString("jti", Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4)));
            if (roleList.Count == 1)
            {
                writer.WriteString("role", roleList[0]);
            }
            else if (roleList.Count > 1)
            {
                writer.WriteStartArray("role");
                roleList.ForEach(writer.WriteStringValue);
                writer.WriteEndArray();
            }

            if (businessUnit is not null)
            {
                writer.WriteString("bu", businessUnit);
            }

            writer.WriteString("aud", audience);
            writer.WriteNumber("nbf", now.AddMinutes(-1).ToUnixTimeSeconds());
            writer.WriteNumber("exp", (expires ?? now.AddHours(1)).ToUnixTimeSeconds());
            writer.WriteNumber("iat", now.ToUnixTimeSeconds());
            writer.WriteString("iss", Issuer);
            writer.WriteEndObject();
        }

        return CompactJwt.Sign("""{"alg":"HS256","typ":"JWT"}""", Encoding.UTF8.GetString(payload.ToArray()),
            input => HMACSHA256.HashData(Convert.FromBase64String(signingKey), input));
    }
}
