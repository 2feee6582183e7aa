using Microsoft.Extensions.Options;

namespace ServerlessCreds.Host.Authentication;

internal sealed class BearerTokenOptionsValidator : IValidateOptions<BearerTokenOptions>
{
    const int MinimumKeyBytes = 32;

    public ValidateOptionsResult Validate(string? name, BearerTokenOptions options)
    {
        if (name != CallerAuthentication.Scheme)
        {
            return ValidateOptionsResult.Skip;
        }

        const string section = BearerTokenOptions.SectionName;
        var errors = new List<string>();
        if (string.IsNullOrEmpty(options.Authority) && options.SigningKeys.Count == 0)
        {
            errors.Add($"Set {section}:Authority, {section}:SigningKeys, or both.");
        }

        if (!string.IsNullOrEmpty(options.Authority)
            && !(Uri.TryCreate(options.Authority, UriKind.Absolute, out var authority) && BearerTokenOptions.IsAllowedMetadataUri(authority)))
        {
            errors.Add($"{section}:Authority must be an absolute https URL.");
        }

        for (var i = 0; i < options.SigningKeys.Count; i++)
        {
            if (SigningKeyError(options.SigningKeys[i]) is { } error)
            {
                errors.Add($"{section}:SigningKeys:{i}: {error}");
            }
        }

        if (options.SigningKeys.Count > 0 && string.IsNullOrEmpty(options.ValidIssuer) && options.ValidIssuers.Count == 0)
        {
            errors.Add($"{section}:SigningKeys need {section}:ValidIssuer or ValidIssuers.");
        }

        if (!options.ValidAudiences.Any(audience => !string.IsNullOrEmpty(audience)))
        {
            errors.Add($"{section}:ValidAudiences must list at least one audience.");
        }

        if (options.ClockSkew < TimeSpan.Zero)
        {
            errors.Add($"{section}:ClockSkew must not be negative.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    static string? SigningKeyError(BearerSigningKey key)
    {
        if (string.IsNullOrEmpty(key.Issuer))
        {
            return "Issuer is required.";
        }

        var bytes = new byte[key.Value.Length];
        if (!Convert.TryFromBase64String(key.Value, bytes, out var length))
        {
            return "Value must be base64.";
        }

        if (length < MinimumKeyBytes)
        {
            return $"Value must hold at least {MinimumKeyBytes} bytes.";
        }

        return key.Length != 0 && key.Length != length ? "Length does not match Value." : null;
    }
}
