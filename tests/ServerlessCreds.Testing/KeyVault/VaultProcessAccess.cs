namespace ServerlessCreds.Testing.KeyVault;

/// <summary>
/// What a separate process (e.g. the published handler, started as the Functions host starts it) needs to reach a
/// <see cref="KeyVaultTestServer"/> as the app reaches Key Vault in Azure, with no test code inside it and production
/// validation intact: its managed identity endpoint, the vault under a <c>vault.azure.net</c> name (the SDK checks that
/// the challenge comes from the vault's domain) through an HTTPS proxy, and the server's certificate trusted through
/// OpenSSL's <c>SSL_CERT_FILE</c>. Give the process <see cref="EnvironmentVariables"/>, <see cref="VaultUri"/> as its vault
/// URI and <see cref="ManagedIdentityEndpoint.ClientId"/> of <see cref="Identity"/> as its managed identity client id.
/// </summary>
public sealed class VaultProcessAccess : IAsyncDisposable
{
    private readonly HostNameProxy _proxy;
    private readonly string _certificateFile;

    internal VaultProcessAccess(ManagedIdentityEndpoint identity, HostNameProxy proxy, string certificatePem)
    {
        Identity = identity;
        _proxy = proxy;
        _certificateFile = Path.Combine(Path.GetTempPath(), $"kv-test-{Guid.NewGuid():N}.pem");
        File.WriteAllText(_certificateFile, certificatePem);
    }

    /// <summary><c>https://{HostName}/</c>: the server, reached through the proxy.</summary>
    public Uri VaultUri { get; } = new($"https://{KeyVaultTestServer.HostName}/");

    public ManagedIdentityEndpoint Identity { get; }

    /// <summary>The identity endpoint's variables, <c>HTTPS_PROXY</c> (loopback excluded by <c>NO_PROXY</c>) and <c>SSL_CERT_FILE</c>.</summary>
    public IReadOnlyDictionary<string, string> EnvironmentVariables => new Dictionary<string, string>(Identity.EnvironmentVariables)
    {
        ["HTTPS_PROXY"] = _proxy.Address.ToString(),
        ["NO_PROXY"] = "127.0.0.1,localhost",
        ["SSL_CERT_FILE"] = _certificateFile,
    };

    /// <summary>
    /// <see cref="EnvironmentVariables"/> plus the app settings that point the handler at <see cref="VaultUri"/> with the
    /// identity's client id, as <c>infra/</c> sets them in Azure.
    /// </summary>
    public IReadOnlyDictionary<string, string> HandlerSettings => new Dictionary<string, string>(EnvironmentVariables)
    {
        ["KeyVault:VaultUri"] = VaultUri.ToString(),
        ["KeyVault:ManagedIdentityClientId"] = Identity.ClientId,
        ["AZURE_CLIENT_ID"] = Identity.ClientId,
    };

    public async ValueTask DisposeAsync()
    {
        await _proxy.DisposeAsync();
        await Identity.DisposeAsync();
        File.Delete(_certificateFile);
    }
}
