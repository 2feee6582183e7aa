namespace ServerlessCreds.Testing.KeyVault;

/// <summary>One secret version as the <see cref="KeyVaultTestServer"/> holds it, value included, for assertions.</summary>
public sealed record TestVaultSecret(
    string Name,
    string Version,
    string Value,
    bool Enabled,
    string? ContentType,
    DateTimeOffset? NotBefore,
    DateTimeOffset? ExpiresOn,
    IReadOnlyDictionary<string, string> Tags,
    DateTimeOffset Created,
    DateTimeOffset Updated);

/// <summary>A request the <see cref="KeyVaultTestServer"/> received; <see cref="Status"/> is 0 when the connection was dropped.</summary>
public sealed record VaultRequest(string Method, string Path, bool HadAuthorization, bool HadBody, int Status);
