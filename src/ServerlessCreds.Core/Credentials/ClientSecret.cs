namespace ServerlessCreds.Credentials;

public enum SecretState
{
    Active,
    Revoked,
    Expired,
}

/// <summary>What tables know about a client secret: everything but its value, which only the vault holds.</summary>
public sealed record ClientSecret
{
    public const int MaxActivePerApplication = 2;
    public const int DefaultLifetimeDays = 365;
    public const int MaxLifetimeDays = 730;

    public required string SecretId { get; init; }
    public required string ApplicationId { get; init; }
    public required string BusinessUnit { get; init; }

    /// <summary>The last four characters, so people can tell secrets apart without seeing them.</summary>
    public required string Hint { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }
    public required DateTimeOffset ExpiresAt { get; init; }
    public DateTimeOffset? RevokedAt { get; init; }
    public required VaultSecretVersion Vault { get; init; }

    /// <summary>Set once the purge disabled an expired secret's vault version.</summary>
    public bool Retired { get; init; }

    /// <summary>Expiry is derived from the clock, so a secret reads as expired the moment it lapses, before any purge runs.</summary>
    public SecretState StateAt(DateTimeOffset now) =>
        RevokedAt is not null ? SecretState.Revoked : ExpiresAt <= now ? SecretState.Expired : SecretState.Active;
}

/// <summary>A freshly generated secret: the only object that ever carries a value, returned once to the creator.</summary>
public sealed record IssuedSecret(ClientSecret Metadata, string Value)
{
    public override string ToString() => $"IssuedSecret {{ SecretId = {Metadata.SecretId}, Hint = {Metadata.Hint} }}";
}
