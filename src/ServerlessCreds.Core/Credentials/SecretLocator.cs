using System.Text.RegularExpressions;
using ServerlessCreds.Common;

namespace ServerlessCreds.Credentials;

/// <summary>Which client secret a vault entry belongs to, and the vault secret name derived from it.</summary>
public sealed partial record SecretLocator(string BusinessUnit, string ApplicationId, string SecretId)
{
    public string BusinessUnit { get; } = BusinessUnits.IsValid(BusinessUnit)
        ? BusinessUnit
        : throw new ArgumentException("The business unit is not a valid business-unit id.", nameof(BusinessUnit));

    public string ApplicationId { get; } = RequireId(ApplicationId, nameof(ApplicationId));

    public string SecretId { get; } = RequireId(SecretId, nameof(SecretId));

    /// <summary>
    /// The vault secret name (1-127 characters of [0-9a-zA-Z-]). Application and secret ids are globally unique,
    /// so the business unit is left out of the name (it may contain '_', which vault names reject); tags carry it.
    /// </summary>
    public string VaultName => $"client-secret-{ApplicationId}-{SecretId}";

    // Vault names compare case-insensitively, so ids are held to lowercase to keep distinct ids distinct.
    private static string RequireId(string id, string parameterName) => IdPattern().IsMatch(id)
        ? id
        : throw new ArgumentException("Ids must be 1-50 lowercase letters or digits.", parameterName);

    [GeneratedRegex(@"^[a-z0-9]{1,50}\z")]
    private static partial Regex IdPattern();
}
