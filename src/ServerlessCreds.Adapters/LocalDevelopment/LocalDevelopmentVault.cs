using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using ServerlessCreds.Common;
using ServerlessCreds.Credentials;
using ServerlessCreds.SecretLinks;

namespace ServerlessCreds.Adapters.LocalDevelopment;

/// <summary>
/// A file-backed <see cref="ISecretVault"/> for running the service on a developer machine, and nowhere else.
/// No Key Vault emulator exists, and a real vault needs an Azure subscription and a signed-in identity; this keeps the
/// README's local run self-contained while behaving like the Key Vault adapter (a version per store, disable hides it).
/// Values are encrypted at rest with ASP.NET Core Data Protection, whose keys sit beside the data in the user's profile
/// folder, outside the repository. It refuses to be constructed outside the Development environment.
/// </summary>
public sealed partial class LocalDevelopmentVault : ISecretVault, ILinkKeySource
{
    private const string ApplicationName = "serverlesscreds-dev-vault";
    private const string Purpose = "ServerlessCreds.LocalDevelopmentVault.v1";

    private readonly string _secretsPath;
    private readonly IDataProtector _protector;

    public LocalDevelopmentVault(IHostEnvironment environment, IOptions<LocalDevelopmentOptions> options)
    {
        if (!environment.IsDevelopment())
        {
            throw new InvalidOperationException(
                $"The local development vault only runs in the Development environment (this is '{environment.EnvironmentName}'); configure KeyVault:VaultUri instead.");
        }

        var root = options.Value.ResolveVaultPath();
        CreatePrivateDirectory(root);
        _secretsPath = Path.Combine(root, "secrets");
        _protector = DataProtectionProvider
            .Create(new DirectoryInfo(Path.Combine(root, "keys")), builder => builder.SetApplicationName(ApplicationName))
            .CreateProtector(Purpose);
    }

    public async Task<VaultSecretVersion> StoreAsync(SecretLocator locator, string value, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        var version = new VaultSecretVersion(locator.VaultName, Ids.NewRandom());
        var stored = new StoredSecret(locator.BusinessUnit, locator.ApplicationId, locator.SecretId, expiresAt, Enabled: true, _protector.Protect(value));
        await WriteAsync(PathOf(version)!, stored, cancellationToken);
        return version;
    }

    public async Task<string?> ReadAsync(VaultSecretVersion version, CancellationToken cancellationToken)
    {
        var stored = await ReadStoredAsync(version, cancellationToken);
        return stored is { Enabled: true } ? _protector.Unprotect(stored.ProtectedValue) : null;
    }

    public async Task DisableAsync(VaultSecretVersion version, CancellationToken cancellationToken)
    {
        if (await ReadStoredAsync(version, cancellationToken) is { Enabled: true } stored)
        {
            await WriteAsync(PathOf(version)!, stored with { Enabled = false }, cancellationToken);
        }
    }

    public async Task<byte[]> GetKeyAsync(CancellationToken cancellationToken)
    {
        var path = Path.Combine(_secretsPath, "link-token-key.protected");
        if (!File.Exists(path))
        {
            Directory.CreateDirectory(_secretsPath);
            var created = _protector.Protect(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
            // CreateNew: when two start at once, the first file wins and both read it back.
            try
            {
                await using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write);
                await file.WriteAsync(created, cancellationToken);
            }
            catch (IOException) when (File.Exists(path))
            {
            }
        }

        return _protector.Unprotect(await File.ReadAllBytesAsync(path, cancellationToken));
    }

    private async Task<StoredSecret?> ReadStoredAsync(VaultSecretVersion version, CancellationToken cancellationToken)
    {
        if (PathOf(version) is not { } path || !File.Exists(path))
        {
            return null;
        }

        await using var file = File.OpenRead(path);
        return await JsonSerializer.DeserializeAsync(file, LocalDevelopmentJsonContext.Default.StoredSecret, cancellationToken);
    }

    // Write then rename, so a reader never sees half a file.
    private static async Task WriteAsync(string path, StoredSecret stored, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temporary = $"{path}.{Guid.NewGuid():N}.tmp";
        await using (var file = File.Create(temporary))
        {
            await JsonSerializer.SerializeAsync(file, stored, LocalDevelopmentJsonContext.Default.StoredSecret, cancellationToken);
        }

        File.Move(temporary, path, overwrite: true);
    }

    // Names and versions become path segments, so anything a vault would not issue is treated as missing.
    private string? PathOf(VaultSecretVersion version) =>
        SecretName().IsMatch(version.Name) && VersionId().IsMatch(version.Version)
            ? Path.Combine(_secretsPath, version.Name.ToLowerInvariant(), version.Version + ".json")
            : null;

    private static void CreatePrivateDirectory(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
        }
        else
        {
            Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    [GeneratedRegex(@"^[0-9a-zA-Z-]{1,127}\z")]
    private static partial Regex SecretName();

    [GeneratedRegex(@"^[0-9a-f]{32}\z")]
    private static partial Regex VersionId();
}

internal sealed record StoredSecret(
    string BusinessUnit,
    string ApplicationId,
    string SecretId,
    DateTimeOffset ExpiresOn,
    bool Enabled,
    string ProtectedValue);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(StoredSecret))]
internal sealed partial class LocalDevelopmentJsonContext : JsonSerializerContext;
