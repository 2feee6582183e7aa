using System.Text.Json;
using System.Text.RegularExpressions;

namespace ServerlessCreds.Host.Tests.Deployment;

/// <summary>Checks infra/*.bicep against what the app needs in Azure; there is no Bicep compiler here to do it.</summary>
public sealed partial class InfrastructureTests
{
    /// <summary>Every setting the app (and the Functions host) reads in Azure; infra/modules/functionapp.bicep must set each.</summary>
    public static readonly string[] AppSettings =
    [
        "AzureWebJobsStorage__accountName",
        "AzureWebJobsStorage__credential",
        "AzureWebJobsStorage__clientId",
        "AzureWebJobsStorage__tableServiceUri",
        "AzureWebJobsStorage__queueServiceUri",
        "AzureWebJobsStorage__blobServiceUri",
        "Authentication__Schemes__Bearer__Authority",
        "Authentication__Schemes__Bearer__ValidAudiences__0",
        "Authentication__Schemes__Bearer__ValidIssuer",
        "Authentication__AppServicePrincipal__Enabled",
        "KeyVault__VaultUri",
        "KeyVault__ManagedIdentityClientId",
        "Email__Endpoint",
        "Email__SenderAddress",
        "Email__ManagedIdentityClientId",
        "PublicBaseUrl",
        "AZURE_CLIENT_ID",
        "APPLICATIONINSIGHTS_CONNECTION_STRING",
        "APPLICATIONINSIGHTS_AUTHENTICATION_STRING",
    ];

    /// <summary>Built-in role definition ids as published in learn.microsoft.com/azure/role-based-access-control/built-in-roles.</summary>
    static readonly Dictionary<string, string> BuiltInRoles = new(StringComparer.OrdinalIgnoreCase)
    {
        ["b7e6dc6d-f1e8-4753-8033-0f276bb0955b"] = "Storage Blob Data Owner",
        ["974c5e8b-45b9-4653-ba55-5f855dd0fb88"] = "Storage Queue Data Contributor",
        ["0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3"] = "Storage Table Data Contributor",
        ["b86a8fe4-44ce-4948-aee5-eccb2c155cd7"] = "Key Vault Secrets Officer",
        ["4633458b-17de-408a-b874-0445c86b69e6"] = "Key Vault Secrets User",
        ["09976791-48a7-449e-bb21-39d1a415f350"] = "Communication and Email Service Owner",
        ["b24988ac-6180-42a0-ab88-20f7382dd24c"] = "Contributor",
        ["3913510d-42f4-4e42-8a64-420c390055eb"] = "Monitoring Metrics Publisher",
    };

    static readonly string[] QueueNames = ["secret-emails", "secret-emails-poison"];

    static readonly string[] TableNames =
        ["Applications", "ClientIds", "Scopes", "ExternalApplications", "Secrets", "Deliveries", "SecretLinks", "Audit", "Idempotency"];

    [Theory]
    [InlineData("{ a: 'x' }", null)]
    [InlineData("a: 'it\\'s ${b[0]} and ${c}' // ] not code", null)]
    [InlineData("a: '''\n{ [ ' '''", null)]
    [InlineData("/* ( */ b: [1]", null)]
    [InlineData("{ a: 'x }\n", "string not closed on line 1")]
    [InlineData("a: [\n (1 ]", "unexpected ']' on line 2")]
    [InlineData("a: '${b'", "string not closed at end of file")]
    [InlineData("a: {\n b: 1", "bracket opened on line 1 is not closed")]
    [InlineData("/* open", "comment opened on line 1 is not closed")]
    public void The_reader_finds_unclosed_brackets_strings_and_comments(string text, string? problem) =>
        Assert.Equal(problem, BicepFile.FindUnbalancedToken(text));

    [Fact]
    public void Every_bicep_file_closes_its_brackets_strings_and_comments()
    {
        var files = BicepFile.All();
        var problems = files.Select(f => (f.Name, Problem: BicepFile.FindUnbalancedToken(f.Text)))
            .Where(f => f.Problem is not null)
            .Select(f => $"{f.Name}: {f.Problem}");

        Assert.NotEmpty(files);
        Assert.Empty(problems);
    }

    [Fact]
    public void Main_references_every_module_file_and_each_reference_exists()
    {
        var referenced = ModuleReference().Matches(BicepFile.Read("main.bicep").Text).Select(m => m.Groups[1].Value).Order().ToList();
        var modules = BicepFile.All().Select(f => f.Name).Where(name => name != "main.bicep").Order().ToList();

        Assert.Equal(modules, referenced);
    }

    [Fact]
    public void Function_app_sets_every_setting_the_app_reads()
    {
        var names = AppSettingEntries().Select(e => e.Name).ToList();

        Assert.Empty(AppSettings.Except(names));
        Assert.Equal(names.Count, names.Distinct().Count());
    }

    [Fact]
    public void No_app_setting_carries_a_storage_key_and_no_file_lists_keys()
    {
        Assert.All(AppSettingEntries(), e =>
        {
            Assert.DoesNotContain("AccountKey=", e.Value, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("listKeys(", e.Value, StringComparison.OrdinalIgnoreCase);
        });
        Assert.All(BicepFile.All(), file => Assert.DoesNotContain("listKeys(", file.Text, StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void Every_role_id_is_a_documented_built_in_named_once_in_the_role_list_and_used()
    {
        var rbac = BicepFile.Read("modules/rbac.bicep");
        var listed = rbac.BlockLines("var roles = {").Select(line => RoleEntry().Match(line)).ToList();

        Assert.NotEmpty(listed);
        Assert.All(listed, entry =>
        {
            Assert.True(entry.Success, $"role list line '{entry.Value}' is not `key: '<guid>' // Name`");
            var (key, id, name) = (entry.Groups["key"].Value, entry.Groups["id"].Value, entry.Groups["name"].Value);
            Assert.True(BuiltInRoles.TryGetValue(id, out var documentedName), $"{id} is not a documented built-in role");
            Assert.Equal(documentedName, name);
            Assert.Contains($"roles.{key}", rbac.Text, StringComparison.Ordinal);
        });

        var everyGuid = BicepFile.All().SelectMany(f => Guid().Matches(f.Text)).Select(m => m.Value).ToList();
        Assert.Equal(listed.Select(e => e.Groups["id"].Value).Order(), everyGuid.Order());
    }

    [Fact]
    public void Storage_declares_the_queues_and_tables_the_app_uses()
    {
        var storage = BicepFile.Read("modules/storage.bicep").Text;

        Assert.All(QueueNames.Concat(TableNames), name => Assert.Contains($"'{name}'", storage, StringComparison.Ordinal));
    }

    /// <summary>Required parameters that differ per tenant, so the deploy command passes them with -p.</summary>
    static readonly string[] CommandLineParameters = ["apiAudience"];

    [Fact]
    public void Parameters_file_sets_only_declared_parameters_and_every_required_one()
    {
        var declared = Parameter().Matches(BicepFile.Read("main.bicep").Text)
            .ToDictionary(m => m.Groups["name"].Value, m => m.Groups["default"].Success);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(BicepFile.InfraFolder, "main.parameters.json")));
        var supplied = json.RootElement.GetProperty("parameters").EnumerateObject().Select(p => p.Name).ToList();

        Assert.Empty(supplied.Except(declared.Keys));
        Assert.Empty(declared.Where(p => !p.Value).Select(p => p.Key).Except(supplied).Except(CommandLineParameters));
    }

    [Fact]
    public void No_two_bicep_files_share_six_identical_lines()
    {
        const int Run = 6;
        var runs = BicepFile.All().Select(file =>
        {
            var lines = file.Lines.Select(l => l.Trim()).Where(l => l.Any(char.IsLetter) && !l.StartsWith("//", StringComparison.Ordinal)).ToList();
            return (file.Name, Runs: Enumerable.Range(0, Math.Max(0, lines.Count - Run + 1)).Select(i => string.Join('\n', lines.Skip(i).Take(Run))).ToHashSet());
        }).ToList();

        foreach (var (a, b) in runs.SelectMany((a, i) => runs.Skip(i + 1).Select(b => (a, b))))
        {
            Assert.True(!a.Runs.Overlaps(b.Runs), $"{a.Name} and {b.Name} share:\n{a.Runs.Intersect(b.Runs).FirstOrDefault()}");
        }
    }

    static List<(string Name, string Value)> AppSettingEntries() =>
        [.. BicepFile.Read("modules/functionapp.bicep").BlockLines("name: 'appsettings'", "properties: {")
            .Select(line => line.Split(':', 2))
            .Select(parts => (parts[0].Trim(), parts[1].Trim()))];

    [GeneratedRegex(@"^module\s+\w+\s+'([^']+)'", RegexOptions.Multiline)]
    private static partial Regex ModuleReference();

    [GeneratedRegex(@"^(?<key>\w+): '(?<id>[0-9a-f-]{36})' // (?<name>.+)$")]
    private static partial Regex RoleEntry();

    [GeneratedRegex(@"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", RegexOptions.IgnoreCase)]
    private static partial Regex Guid();

    [GeneratedRegex(@"^param\s+(?<name>\w+)\s+\w+(?<default>\s*=)?", RegexOptions.Multiline)]
    private static partial Regex Parameter();
}
