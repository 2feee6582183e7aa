using Microsoft.AspNetCore.Authentication;

namespace ServerlessCreds.Host.Authentication;

/// <summary>
/// Which bearer tokens the host accepts; bound to <c>Authentication:Schemes:Bearer</c>, the section
/// <c>dotnet user-jwts</c> writes. Set <see cref="Authority"/> (Entra ID, RS256), <see cref="SigningKeys"/> (HS256), or both.
/// </summary>
public sealed class BearerTokenOptions : AuthenticationSchemeOptions
{
    public const string SectionName = "Authentication:Schemes:Bearer";

    /// <summary>
    /// Tenant-specific OpenID Connect authority, e.g. <c>https://login.microsoftonline.com/{tenant}/v2.0</c>; its
    /// discovery document names the JWKS and the issuer. https only (plain http is accepted for loopback hosts).
    /// </summary>
    public string? Authority { get; set; }

    /// <summary>HMAC keys as <c>dotnet user-jwts</c> stores them in user secrets.</summary>
    public IList<BearerSigningKey> SigningKeys { get; } = [];

    public string? ValidIssuer { get; set; }

    public IList<string> ValidIssuers { get; } = [];

    /// <summary>At least one is required; a token's <c>aud</c> must contain one of them.</summary>
    public IList<string> ValidAudiences { get; } = [];

    /// <summary>Tolerance applied to <c>exp</c> and <c>nbf</c>.</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromMinutes(5);

    internal bool IsAcceptedIssuer(string issuer) =>
        string.Equals(issuer, ValidIssuer, StringComparison.Ordinal) || ValidIssuers.Contains(issuer, StringComparer.Ordinal);

    /// <summary>Metadata must come over https; plain http only from this machine (a local test identity provider).</summary>
    internal static bool IsAllowedMetadataUri(Uri uri) =>
        uri.IsAbsoluteUri && (uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && uri.IsLoopback));
}

/// <summary>One HS256 key: only tokens whose <c>iss</c> equals <see cref="Issuer"/> are checked against it.</summary>
public sealed class BearerSigningKey
{
    public string? Id { get; set; }

    public string Issuer { get; set; } = "";

    /// <summary>Base64 key bytes (at least 32).</summary>
    public string Value { get; set; } = "";

    /// <summary>Key length in bytes, as written by <c>dotnet user-jwts</c>; checked against <see cref="Value"/> when set.</summary>
    public int Length { get; set; }

    internal byte[] KeyBytes() => Convert.FromBase64String(Value);
}
