using System.Security.Claims;
using System.Text.Json;

namespace ServerlessCreds.Host.Authentication;

/// <summary>
/// The principal App Service Authentication forwards in <c>X-MS-CLIENT-PRINCIPAL</c>. Anyone can send that header, so it
/// is trusted only when configuration opts in, the platform auth module is on, and the Functions host (which strips
/// forged copies) runs this process.
/// </summary>
internal sealed class AppServicePrincipal(bool trusted)
{
    public const string HeaderName = "X-MS-CLIENT-PRINCIPAL";
    const int MaxHeaderLength = 16 * 1024;

    // Easy Auth passes Entra claims under their WS-Federation names; map them to the JWT names CallerClaims reads.
    static readonly Dictionary<string, string> JwtClaimNames = new(StringComparer.Ordinal)
    {
        ["http://schemas.microsoft.com/identity/claims/objectidentifier"] = CallerClaims.ObjectId,
        ["http://schemas.xmlsoap.org/ws/2005/05/identity/claims/nameidentifier"] = CallerClaims.Subject,
    };

    static readonly JsonDocumentOptions StrictJson = new() { MaxDepth = 8, AllowDuplicateProperties = false };

    public bool Trusted { get; } = trusted;

    /// <summary>Reads <c>Authentication:AppServicePrincipal:Enabled</c> and the environment variables the default host adds to configuration.</summary>
    public static AppServicePrincipal FromConfiguration(IConfiguration configuration) => new(
        configuration.GetValue<bool>("Authentication:AppServicePrincipal:Enabled")
        && string.Equals(configuration["WEBSITE_AUTH_ENABLED"], "true", StringComparison.OrdinalIgnoreCase)
        && !string.IsNullOrEmpty(configuration["FUNCTIONS_CUSTOMHANDLER_PORT"]));

    /// <summary>Null unless the header is one base64 JSON principal with an <c>oid</c> or <c>sub</c>.</summary>
    public static ClaimsIdentity? Parse(string encoded)
    {
        if (encoded.Length > MaxHeaderLength)
        {
            return null;
        }

        var bytes = new byte[encoded.Length];
        if (!Convert.TryFromBase64String(encoded, bytes, out var length))
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(bytes.AsMemory(0, length), StrictJson);
            return ToIdentity(document.RootElement);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    static ClaimsIdentity? ToIdentity(JsonElement principal)
    {
        if (principal.ValueKind != JsonValueKind.Object
            || !principal.TryGetProperty("claims", out var claims) || claims.ValueKind != JsonValueKind.Array)
        {
            return null;
        }

        var nameType = OptionalString(principal, "name_typ");
        var roleType = OptionalString(principal, "role_typ");
        var identity = new ClaimsIdentity(
            OptionalString(principal, "auth_typ") is { Length: > 0 } authType ? authType : "AppService",
            CallerClaims.Name,
            CallerClaims.Roles);
        foreach (var claim in claims.EnumerateArray())
        {
            if (OptionalString(claim, "typ") is not { Length: > 0 } type || OptionalString(claim, "val") is not { } value)
            {
                return null;
            }

            identity.AddClaim(new Claim(JwtName(type, nameType, roleType), value));
        }

        return identity.HasClaim(c => c.Type is CallerClaims.ObjectId or CallerClaims.Subject) ? identity : null;
    }

    static string JwtName(string type, string? nameType, string? roleType) =>
        type == roleType ? CallerClaims.Roles
        : type == nameType ? CallerClaims.Name
        : JwtClaimNames.GetValueOrDefault(type, type);

    static string? OptionalString(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;
}
