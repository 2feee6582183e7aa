namespace ServerlessCreds.Scopes;

public sealed record Scope(string Name, string DisplayName, string Description, bool BuiltIn)
{
    public static readonly IReadOnlyList<Scope> BuiltIns =
    [
        new("RealTime", "Real-time", "Real-time event and presence APIs.", true),
        new("Admin", "Administration", "Configuration and administration APIs.", true),
        new("Agent", "Agent", "Agent desktop and state APIs.", true),
        new("Custom", "Custom", "Custom integration APIs.", true),
        new("Authentication", "Authentication", "Token and identity APIs.", true),
        new("Patron", "Patron", "Customer (patron) data APIs.", true),
        new("Reporting", "Reporting", "Historical reporting APIs.", true),
    ];
}
