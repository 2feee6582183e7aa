namespace ServerlessCreds.Credentials;

/// <summary>
/// Where client secret values live (Key Vault in Azure). Tables hold only metadata; nothing else ever stores a value.
/// Every method throws <see cref="Common.DependencyUnavailableException"/> when the vault cannot be reached or keeps
/// failing after retries; exception messages never contain a secret value.
/// </summary>
public interface ISecretVault
{
    /// <summary>
    /// Stores <paramref name="value"/> as a new, enabled version of the locator's vault secret, with its expiry, a
    /// content type and tags naming the business unit, application and secret id.
    /// </summary>
    /// <returns>The vault secret name and the version that was created.</returns>
    Task<VaultSecretVersion> StoreAsync(SecretLocator locator, string value, DateTimeOffset expiresAt, CancellationToken cancellationToken);

    /// <summary>Reads one version's value; null when that version does not exist or is disabled.</summary>
    Task<string?> ReadAsync(VaultSecretVersion version, CancellationToken cancellationToken);

    /// <summary>Disables one version so it can no longer be read. Idempotent; a missing version is not an error.</summary>
    Task DisableAsync(VaultSecretVersion version, CancellationToken cancellationToken);
}
