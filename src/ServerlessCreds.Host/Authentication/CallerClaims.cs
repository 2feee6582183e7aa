using System.Security.Claims;
using ServerlessCreds.Callers;

namespace ServerlessCreds.Host.Authentication;

/// <summary>Maps an authenticated principal's JWT claims to a <see cref="Caller"/>.</summary>
public static class CallerClaims
{
    public const string ObjectId = "oid";
    public const string Subject = "sub";
    public const string Name = "name";
    public const string PreferredUsername = "preferred_username";
    public const string UniqueName = "unique_name";

    /// <summary>Entra ID app roles.</summary>
    public const string Roles = "roles";

    /// <summary>What <c>dotnet user-jwts --role</c> writes.</summary>
    public const string Role = "role";

    public const string BusinessUnit = "bu";

    /// <summary>
    /// Id from <c>oid</c>, else <c>sub</c>; name from <c>name</c>, <c>preferred_username</c>, <c>unique_name</c>, else the id;
    /// roles from <c>roles</c> and <c>role</c> only (never <c>scp</c> or <c>groups</c>); business unit from a single <c>bu</c>.
    /// </summary>
    /// <exception cref="InvalidOperationException">The principal has neither <c>oid</c> nor <c>sub</c> (it is not authenticated).</exception>
    public static Caller ToCaller(this ClaimsPrincipal principal)
    {
        ArgumentNullException.ThrowIfNull(principal);
        var id = First(principal, ObjectId) ?? First(principal, Subject)
            ?? throw new InvalidOperationException("The principal has no oid or sub claim; it is not an authenticated caller.");
        var name = First(principal, Name) ?? First(principal, PreferredUsername) ?? First(principal, UniqueName) ?? id;
        var roles = principal.Claims
            .Where(c => c.Type is Roles or Role && c.ValueType == ClaimValueTypes.String && c.Value.Length > 0)
            .Select(c => c.Value)
            .ToHashSet(StringComparer.Ordinal);

        // Several bu claims name no single business unit; the caller then acts in none rather than in a guessed one.
        var businessUnits = StringValues(principal, BusinessUnit).Take(2).ToList();
        return new Caller(id, name, roles, businessUnits.Count == 1 ? businessUnits[0] : null);
    }

    static string? First(ClaimsPrincipal principal, string type) => StringValues(principal, type).FirstOrDefault();

    static IEnumerable<string> StringValues(ClaimsPrincipal principal, string type) =>
        principal.FindAll(type).Where(c => c.ValueType == ClaimValueTypes.String && c.Value.Length > 0).Select(c => c.Value);
}
