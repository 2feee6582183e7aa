using System.Text.Json;
using Azure;
using Azure.Core;
using Azure.Identity;
using Azure.Security.KeyVault.Secrets;
using ServerlessCreds.Common;
using ServerlessCreds.Credentials;
using ServerlessCreds.SecretLinks;

namespace ServerlessCreds.Adapters.KeyVault;

/// <summary>Client secret values in Azure Key Vault, one vault secret per client secret, through the official <see cref="SecretClient"/>.</summary>
public sealed class KeyVaultSecretVault : ISecretVault, ILinkKeySource, IHealthProbe
{
    public const SecretClientOptions.ServiceVersion ServiceVersion = SecretClientOptions.ServiceVersion.V7_5;

    internal const string ContentType = "text/plain";
    internal const string BusinessUnitTag = "businessUnit";
    internal const string ApplicationIdTag = "applicationId";
    internal const string SecretIdTag = "secretId";

    private const string Dependency = "key vault";

    private const string LinkKeyName = "link-token-key";

    private readonly SecretClient _client;
    private Task<byte[]>? _linkKey;

    public KeyVaultSecretVault(Uri vaultUri, TokenCredential credential, SecretClientOptions options)
    {
        _client = new SecretClient(vaultUri, credential, options);
    }

    /// <summary>The client options used in Azure: the pinned service version and exponential retries (429 honours Retry-After).</summary>
    public static SecretClientOptions CreateClientOptions() => new(ServiceVersion)
    {
        Retry =
        {
            Mode = RetryMode.Exponential,
            MaxRetries = 4,
            Delay = TimeSpan.FromMilliseconds(500),
            MaxDelay = TimeSpan.FromSeconds(8),
            NetworkTimeout = TimeSpan.FromSeconds(30),
        },
    };

    public async Task<VaultSecretVersion> StoreAsync(SecretLocator locator, string value, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        var secret = new KeyVaultSecret(locator.VaultName, value)
        {
            Properties =
            {
                Enabled = true,
                ExpiresOn = expiresAt,
                ContentType = ContentType,
                Tags =
                {
                    [BusinessUnitTag] = locator.BusinessUnit,
                    [ApplicationIdTag] = locator.ApplicationId,
                    [SecretIdTag] = locator.SecretId,
                },
            },
        };

        try
        {
            KeyVaultSecret stored = await _client.SetSecretAsync(secret, cancellationToken);
            return new VaultSecretVersion(stored.Name, stored.Properties.Version);
        }
        catch (Exception exception) when (IsUnavailable(exception))
        {
            throw new DependencyUnavailableException(Dependency, exception);
        }
    }

    public async Task<string?> ReadAsync(VaultSecretVersion version, CancellationToken cancellationToken)
    {
        try
        {
            KeyVaultSecret secret = await _client.GetSecretAsync(version.Name, version.Version, cancellationToken);
            return secret.Value;
        }
        catch (RequestFailedException exception) when (exception.Status == 404 || IsDisabledSecret(exception))
        {
            return null;
        }
        catch (Exception exception) when (IsUnavailable(exception))
        {
            throw new DependencyUnavailableException(Dependency, exception);
        }
    }

    public async Task DisableAsync(VaultSecretVersion version, CancellationToken cancellationToken)
    {
        var properties = new SecretProperties(new Uri(_client.VaultUri, $"secrets/{version.Name}/{version.Version}")) { Enabled = false };
        try
        {
            await _client.UpdateSecretPropertiesAsync(properties, cancellationToken);
        }
        catch (RequestFailedException exception) when (exception.Status == 404)
        {
            // Already gone: nothing left to disable.
        }
        catch (Exception exception) when (IsUnavailable(exception))
        {
            throw new DependencyUnavailableException(Dependency, exception);
        }
    }

    /// <summary>
    /// The link-token key: the oldest enabled version of one vault secret, created on first use. Every instance picks the
    /// same version even if two created one at the same moment, so tokens derive identically everywhere.
    /// </summary>
    public async Task<byte[]> GetKeyAsync(CancellationToken cancellationToken)
    {
        // Shared by concurrent callers; a failed load is forgotten so the next call tries again.
        var load = _linkKey ??= LoadLinkKeyAsync(CancellationToken.None);
        try
        {
            return await load.WaitAsync(cancellationToken);
        }
        catch (Exception exception) when (IsUnavailable(exception))
        {
            _ = Interlocked.CompareExchange(ref _linkKey, null, load);
            throw new DependencyUnavailableException(Dependency, exception);
        }
    }

    public string Name => "keyVault";

    /// <summary>Lists one page of the link key's versions: no value is read, and "not found" still proves the vault answers.</summary>
    public async Task<bool> IsReachableAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var _ in _client.GetPropertiesOfSecretVersionsAsync(LinkKeyName, cancellationToken).AsPages(pageSizeHint: 1))
            {
                break;
            }
        }
        catch (RequestFailedException exception) when (exception.Status == 404)
        {
        }
        catch (Exception exception) when (IsUnavailable(exception))
        {
            return false;
        }

        return true;
    }

    private async Task<byte[]> LoadLinkKeyAsync(CancellationToken cancellationToken)
    {
        var version = await OldestEnabledLinkKeyVersionAsync(cancellationToken);
        if (version is null)
        {
            var created = new KeyVaultSecret(LinkKeyName, Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)))
            {
                Properties = { ContentType = "application/octet-stream; base64" },
            };
            await _client.SetSecretAsync(created, cancellationToken);
            version = await OldestEnabledLinkKeyVersionAsync(cancellationToken);
        }

        KeyVaultSecret key = await _client.GetSecretAsync(LinkKeyName, version, cancellationToken);
        return Convert.FromBase64String(key.Value);
    }

    private async Task<string?> OldestEnabledLinkKeyVersionAsync(CancellationToken cancellationToken)
    {
        var versions = new List<SecretProperties>();
        try
        {
            await foreach (var properties in _client.GetPropertiesOfSecretVersionsAsync(LinkKeyName, cancellationToken))
            {
                versions.Add(properties);
            }
        }
        catch (RequestFailedException exception) when (exception.Status == 404)
        {
            return null;
        }

        return versions.Where(v => v.Enabled == true).OrderBy(v => v.CreatedOn).ThenBy(v => v.Version, StringComparer.Ordinal).FirstOrDefault()?.Version;
    }

    // Status 0 is a transport failure; an AggregateException is what the retry policy throws once transport retries run out.
    // 401/403 mean the identity is not (yet) allowed in: the vault is unusable for us, not our caller's fault.
    private static bool IsUnavailable(Exception exception) => exception switch
    {
        RequestFailedException { Status: 0 or 401 or 403 or 408 or 429 or >= 500 } => true,
        AggregateException or AuthenticationFailedException => true,
        _ => false,
    };

    // Key Vault answers a read of a disabled version with 403 Forbidden and inner error SecretDisabled; other 403s are access denials.
    private static bool IsDisabledSecret(RequestFailedException exception)
    {
        if (exception.Status != 403 || exception.GetRawResponse()?.Content is not { } content)
        {
            return false;
        }

        try
        {
            using var body = JsonDocument.Parse(content.ToMemory());
            return body.RootElement.TryGetProperty("error", out var error)
                && error.TryGetProperty("innererror", out var inner)
                && inner.TryGetProperty("code", out var code)
                && code.ValueEquals("SecretDisabled");
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
