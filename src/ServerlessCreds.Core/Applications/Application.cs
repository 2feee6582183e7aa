namespace ServerlessCreds.Applications;

public enum ApplicationKind
{
    Internal,
    External,
}

/// <summary>A registered API client of one business unit. Never holds a secret value.</summary>
public sealed record Application
{
    public required string Id { get; init; }
    public required string BusinessUnit { get; init; }
    public required ApplicationKind Kind { get; init; }
    public string? ExternalApplicationId { get; init; }
    public required string VendorName { get; init; }
    public required string ApplicationName { get; init; }
    public required IReadOnlyList<string> Scopes { get; init; }
    public required IReadOnlyList<string> CallbackUrls { get; init; }
    public required string ClientId { get; init; }
    public required bool Enabled { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public required string CreatedBy { get; init; }
    public required DateTimeOffset UpdatedAt { get; init; }

    /// <summary>Opaque concurrency token of the stored row; empty before the first write.</summary>
    public string Version { get; init; } = "";

    public const int MaxScopes = 20;
}
