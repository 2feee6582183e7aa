namespace ServerlessCreds.Adapters.KeyVault;

/// <summary>Settings for the Key Vault that holds client secret values (section <c>KeyVault</c>).</summary>
public sealed class KeyVaultOptions
{
    public const string SectionName = "KeyVault";

    /// <summary>The vault's URI, e.g. <c>https://kv-serverlesscreds.vault.azure.net/</c>. Required, absolute, https.</summary>
    public Uri? VaultUri { get; set; }

    /// <summary>Client id of the user-assigned managed identity; when unset, <c>AZURE_CLIENT_ID</c> applies.</summary>
    public string? ManagedIdentityClientId { get; set; }

    internal bool HasHttpsVaultUri => VaultUri is { IsAbsoluteUri: true } uri && uri.Scheme == Uri.UriSchemeHttps;
}
