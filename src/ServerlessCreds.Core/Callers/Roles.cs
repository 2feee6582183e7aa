namespace ServerlessCreds.Callers;

/// <summary>Role names as they appear in tokens; business-unit roles are named after the security-profile permissions they model.</summary>
public static class Roles
{
    public const string View = "ApiApplications.View";
    public const string Create = "ApiApplications.Create";
    public const string Edit = "ApiApplications.Edit";
    public const string Delete = "ApiApplications.Delete";
    public const string SendSecretEmail = "ApiApplications.SendSecretEmail";
    public const string AuditView = "Audit.View";
    public const string PlatformAdmin = "Platform.Admin";
    public const string PlatformAccountManager = "Platform.AccountManager";

    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal)
    {
        View, Create, Edit, Delete, SendSecretEmail, AuditView, PlatformAdmin, PlatformAccountManager,
    };
}
