namespace ServerlessCreds.Scopes;

public sealed record Scope(string Name, string DisplayName, string Description, bool BuiltIn)
{
    /// <summary>Opaque concurrency token of the stored row; null for a built-in taken from code.</summary>
    public string? Version { get; init; }

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
