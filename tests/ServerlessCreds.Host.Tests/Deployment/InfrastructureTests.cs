using System.Text.Json;
using System.Text.RegularExpressions;
using ServerlessCreds.Adapters.Queues;
using ServerlessCreds.Adapters.Storage;
using ServerlessCreds.Adapters.Tables;

namespace ServerlessCreds.Host.Tests.Deployment;

/// <summary>Checks infra/*.bicep against what the app needs in Azure; there is no Bicep compiler here to do it.</summary>
public sealed partial class InfrastructureTests
{
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
        var referenced = ModuleCall().Matches(BicepFile.Read("main.bicep").Text).Select(m => m.Groups["path"].Value).Order().ToList();
        var modules = BicepFile.All().Select(f => f.Name).Where(name => name != "main.bicep").Order().ToList();

        Assert.Equal(modules, referenced);
    }

    [Fact]
    public void Every_module_call_passes_only_parameters_the_module_declares_and_all_it_requires()
    {
        var main = BicepFile.Read("main.bicep");
        var calls = ModuleCall().Matches(main.Text).ToList();

        Assert.NotEmpty(calls);
        Assert.All(calls, call =>
        {
            var (symbol, path) = (call.Groups["symbol"].Value, call.Groups["path"].Value);
            var declared = Parameter().Matches(BicepFile.Read(path).Text).ToDictionary(m => m.Groups["name"].Value, m => m.Groups["default"].Success);
            var passed = main.BlockLines($"module {symbol} '", "params: {").Select(line => line[..line.IndexOf(':', StringComparison.Ordinal)]).ToList();

            Assert.True(passed.Except(declared.Keys).ToList() is [], $"{symbol} passes undeclared {string.Join(", ", passed.Except(declared.Keys))}");
            var missing = declared.Where(p => !p.Value).Select(p => p.Key).Except(passed).ToList();
            Assert.True(missing is [], $"{symbol} leaves out required {string.Join(", ", missing)}");
        });
    }

    [Fact]
    public void Every_module_output_main_reads_is_declared_by_that_module()
    {
        var main = BicepFile.Read("main.bicep");
        var modules = ModuleCall().Matches(main.Text).ToDictionary(m => m.Groups["symbol"].Value, m => m.Groups["path"].Value);
        var reads = OutputRead().Matches(main.Text).Select(m => (Module: m.Groups["module"].Value, Output: m.Groups["output"].Value)).Distinct().ToList();

        Assert.NotEmpty(reads);
        Assert.All(reads, read =>
        {
            Assert.True(modules.TryGetValue(read.Module, out var path), $"main.bicep reads outputs of {read.Module}, which is not a module");
            Assert.True(Regex.IsMatch(BicepFile.Read(path).Text, $@"(?m)^output\s+{read.Output}\s"), $"main.bicep reads {read.Module}.outputs.{read.Output}, which {path} does not declare");
        });
    }

    [Fact]
    public void The_function_app_runs_the_custom_runtime_on_flex_consumption_from_its_identity_s_blob_container()
    {
        var app = BicepFile.Read("modules/functionapp.bicep");

        Assert.Equal(["name: 'custom'", "version: '1.0'"], app.BlockLines("functionAppConfig: {", "runtime: {"));
        Assert.Equal(["instanceMemoryMB: instanceMemoryMB", "maximumInstanceCount: maximumInstanceCount"],
            app.BlockLines("functionAppConfig: {", "scaleAndConcurrency: {").Order(StringComparer.Ordinal));
        var storage = app.BlockLines("functionAppConfig: {", "deployment: {", "storage: {");
        Assert.Contains("type: 'blobContainer'", storage);
        Assert.Equal(["type: 'UserAssignedIdentity'", "userAssignedIdentityResourceId: identityId"],
            app.BlockLines("functionAppConfig: {", "deployment: {", "storage: {", "authentication: {"));
        Assert.Contains("name: 'FC1'", app.BlockLines("resource plan ", "sku: {"));
    }

    [Fact]
    public void No_app_setting_carries_a_storage_key_and_no_file_lists_keys()
    {
        Assert.All(FunctionAppSettings.Entries(), e =>
        {
            Assert.DoesNotContain("AccountKey=", e.Expression, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("listKeys(", e.Expression, StringComparison.OrdinalIgnoreCase);
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
    public void Storage_declares_every_table_and_queue_the_app_uses_and_creates_each_listed_one()
    {
        var storage = BicepFile.Read("modules/storage.bicep");
        var tables = new StorageTables(name => new TableClient(StorageAccount.Parse("UseDevelopmentStorage=true"), name)).All.Select(t => t.Name);
        // The Functions host moves a message that keeps failing to {queue}-poison, creating it if needed.
        string[] queues = [SecretEmailRequests.QueueName, SecretEmailRequests.QueueName + "-poison"];

        Assert.Empty(tables.Except(ListVariable(storage, "tableNames")));
        Assert.Empty(queues.Except(ListVariable(storage, "queueNames")));
        Assert.Matches(@"'Microsoft\.Storage/storageAccounts/tableServices/tables@[\d-]+' = \[for \w+ in tableNames:", storage.Text);
        Assert.Matches(@"'Microsoft\.Storage/storageAccounts/queueServices/queues@[\d-]+' = \[for \w+ in queueNames:", storage.Text);
    }

    [Fact]
    public void Each_role_is_granted_on_the_resource_it_is_for()
    {
        var assignments = BicepFile.Read("modules/rbac.bicep").BlockLines("var assignments = [").Where(line => !line.StartsWith("//", StringComparison.Ordinal));

        // Data Contributor includes creating tables and queues, which the app does at start and the host does for poison
        // queues; Secrets Officer, as the app writes and disables secrets.
        Assert.Equal(
            [
                "{ roleId: roles.communicationAndEmailServiceOwner, scope: communicationService.id }",
                "{ roleId: roles.keyVaultSecretsOfficer, scope: vault.id }",
                "{ roleId: roles.monitoringMetricsPublisher, scope: applicationInsights.id }",
                "{ roleId: roles.storageBlobDataOwner, scope: storage.id }",
                "{ roleId: roles.storageQueueDataContributor, scope: storage.id }",
                "{ roleId: roles.storageTableDataContributor, scope: storage.id }",
            ],
            assignments.Order(StringComparer.Ordinal));
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

    static IReadOnlyList<string> ListVariable(BicepFile file, string name)
    {
        var line = file.Lines.SingleOrDefault(l => l.StartsWith($"var {name} = [", StringComparison.Ordinal));
        Assert.True(line is not null, $"{file.Name} has no one-line `var {name} = [...]`");
        return [.. QuotedName().Matches(line).Select(m => m.Groups[1].Value)];
    }

    [GeneratedRegex(@"'([^']*)'")]
    private static partial Regex QuotedName();

    [GeneratedRegex(@"^module\s+(?<symbol>\w+)\s+'(?<path>[^']+)'", RegexOptions.Multiline)]
    private static partial Regex ModuleCall();

    [GeneratedRegex(@"\b(?<module>\w+)\.outputs\.(?<output>\w+)")]
    private static partial Regex OutputRead();

    [GeneratedRegex(@"^(?<key>\w+): '(?<id>[0-9a-f-]{36})' // (?<name>.+)$")]
    private static partial Regex RoleEntry();

    [GeneratedRegex(@"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", RegexOptions.IgnoreCase)]
    private static partial Regex Guid();

    [GeneratedRegex(@"^param\s+(?<name>\w+)\s+\w+(?<default>\s*=)?", RegexOptions.Multiline)]
    private static partial Regex Parameter();
}
