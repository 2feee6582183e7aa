namespace ServerlessCreds.Adapters.LocalDevelopment;

/// <summary>Settings for the development-only stand-ins (section <c>LocalDevelopment</c>).</summary>
public sealed class LocalDevelopmentOptions
{
    public const string SectionName = "LocalDevelopment";

    /// <summary>Folder of the development vault; defaults to <c>serverlesscreds/dev-vault</c> under the user's local application data, outside any repository.</summary>
    public string? VaultPath { get; set; }

    internal string ResolveVaultPath() => string.IsNullOrWhiteSpace(VaultPath)
        ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), "serverlesscreds", "dev-vault")
        : VaultPath;
}
