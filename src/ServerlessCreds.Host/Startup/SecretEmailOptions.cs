using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace ServerlessCreds.Host.Startup;

/// <summary>How secret emails name the product and where their one-time links point (app settings <c>PublicBaseUrl</c>, <c>ProductName</c>).</summary>
public sealed class SecretEmailOptions
{
    /// <summary>The public origin of this service, e.g. https://creds.example.com; links are {PublicBaseUrl}/s/{token}.</summary>
    [Required]
    public Uri? PublicBaseUrl { get; set; }

    [Required]
    [StringLength(60, MinimumLength = 1)]
    public string ProductName { get; set; } = "ServerlessCreds";

    public bool HasAbsoluteHttpUrl => PublicBaseUrl is { IsAbsoluteUri: true, Scheme: "https" or "http" };
}

/// <summary>Checks the data annotations above with generated code, not reflection.</summary>
[OptionsValidator]
internal sealed partial class SecretEmailOptionsValidator : IValidateOptions<SecretEmailOptions>;
