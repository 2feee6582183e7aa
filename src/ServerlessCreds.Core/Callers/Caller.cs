namespace ServerlessCreds.Callers;

/// <summary>An authenticated principal: who acts, with which roles, for which business unit (if any).</summary>
public sealed record Caller(string Id, string Name, IReadOnlySet<string> Roles, string? BusinessUnit)
{
    static readonly HashSet<string> AccountManagerPermissions = [Callers.Roles.View, Callers.Roles.SendSecretEmail];

    public bool IsPlatformAdmin => Roles.Contains(Callers.Roles.PlatformAdmin);

    /// <summary>Whether this caller may use <paramref name="permission"/> inside <paramref name="businessUnit"/>.</summary>
    public bool MayAct(string businessUnit, string permission)
    {
        if (IsPlatformAdmin)
        {
            return true;
        }

        if (Roles.Contains(Callers.Roles.PlatformAccountManager) && AccountManagerPermissions.Contains(permission))
        {
            return true;
        }

        return string.Equals(BusinessUnit, businessUnit, StringComparison.Ordinal) && Roles.Contains(permission);
    }
}
