using System.Text.RegularExpressions;

namespace ServerlessCreds.Host.Tests.Deployment;

/// <summary>
/// The app settings infra/modules/functionapp.bicep gives the function app, and their values worked out with sample
/// values, of the shape Azure fills in, for what is only known at deployment.
/// </summary>
static partial class FunctionAppSettings
{
    static readonly BicepFile Module = BicepFile.Read("modules/functionapp.bicep");

    static readonly string ClientId = Guid.NewGuid().ToString();
    static readonly string TenantId = Guid.NewGuid().ToString();

    /// <summary>Module parameters and resource properties by the expression the module reads them with.</summary>
    static readonly Dictionary<string, string> Samples = new(StringComparer.Ordinal)
    {
        ["storage.name"] = "stexample0123",
        ["storage.properties.primaryEndpoints.blob"] = "https://stexample0123.blob.core.windows.net/",
        ["storage.properties.primaryEndpoints.queue"] = "https://stexample0123.queue.core.windows.net/",
        ["storage.properties.primaryEndpoints.table"] = "https://stexample0123.table.core.windows.net/",
        ["identityClientId"] = ClientId,
        ["applicationInsights.properties.ConnectionString"] =
            $"InstrumentationKey={Guid.NewGuid()};IngestionEndpoint=https://westeurope-5.in.applicationinsights.azure.com/",
        ["environment().authentication.loginEndpoint"] = "https://login.microsoftonline.com/",
        ["entraTenantId"] = TenantId,
        ["apiAudience"] = Guid.NewGuid().ToString(),
        ["string(enableAppServiceAuth)"] = "true",
        ["keyVaultUri"] = "https://kv-example0123.vault.azure.net/",
        ["emailEndpoint"] = "https://acs-example-0123.europe.communication.azure.com",
        ["emailSenderAddress"] = $"DoNotReply@{Guid.NewGuid()}.azurecomm.net",
        ["functionApp.properties.defaultHostName"] = "func-example-0123.azurewebsites.net",
    };

    /// <summary>Each <c>Name: expression</c> line of the <c>appsettings</c> resource's properties.</summary>
    public static IReadOnlyList<(string Name, string Expression)> Entries() =>
        [.. Module.BlockLines("name: 'appsettings'", "properties: {")
            .Select(line => line.Split(':', 2))
            .Select(parts => (parts[0].Trim(), parts[1].Trim()))];

    /// <summary>Every setting with its sample value, keyed by its app-setting name (<c>Section__Key</c>).</summary>
    public static Dictionary<string, string> WithSampleValues() =>
        Entries().ToDictionary(e => e.Name, e => Evaluate(e.Expression), StringComparer.OrdinalIgnoreCase);

    /// <summary>String literals get their <c>${}</c> holes filled, the module's <c>var</c>s are expanded, anything else is a sample.</summary>
    public static string Evaluate(string expression)
    {
        if (expression.Length >= 2 && expression.StartsWith('\'') && expression.EndsWith('\''))
        {
            return Hole().Replace(expression[1..^1], hole => Evaluate(hole.Groups["expression"].Value));
        }

        if (Variable().Matches(Module.Text).FirstOrDefault(v => v.Groups["name"].Value == expression) is { } variable)
        {
            return Evaluate(variable.Groups["value"].Value.Trim());
        }

        return Samples.TryGetValue(expression, out var sample)
            ? sample
            : throw new Xunit.Sdk.XunitException($"{Module.Name}: add a sample value for '{expression}' to {nameof(FunctionAppSettings)}.{nameof(Samples)}.");
    }

    [GeneratedRegex(@"\$\{(?<expression>[^}]+)\}")]
    private static partial Regex Hole();

    [GeneratedRegex(@"^var\s+(?<name>\w+)\s*=(?<value>.+)$", RegexOptions.Multiline)]
    private static partial Regex Variable();
}
