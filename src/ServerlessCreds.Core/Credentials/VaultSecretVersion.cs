namespace ServerlessCreds.Credentials;

/// <summary>One stored version of a vault secret: what the tables keep to find a client secret's value again.</summary>
public sealed record VaultSecretVersion(string Name, string Version);
