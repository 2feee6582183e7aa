using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Reflection.PortableExecutable;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using ServerlessCreds.Adapters.Queues;
using ServerlessCreds.Deliveries;
using ServerlessCreds.Host.Functions;
using ServerlessCreds.Host.Tests.Functions;
using ServerlessCreds.Testing;
using ServerlessCreds.Testing.Azurite;
using ServerlessCreds.Testing.Callers;
using ServerlessCreds.Testing.CommunicationEmail;
using ServerlessCreds.Testing.KeyVault;

namespace ServerlessCreds.Host.Tests.Deployment;

/// <summary>The package builds once and alone: a parallel ReadyToRun publish would slow every timing-sensitive test.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class PackageBuild : ICollectionFixture<DeploymentPackage>
{
    public const string Name = "Deployment package";
}

/// <summary>The zip build-package.sh produces is what the Functions host needs to run the custom handler.</summary>
[Collection(PackageBuild.Name)]
public sealed class PackageTests(DeploymentPackage package)
{
    const int FileTypeMask = 0xF000;
    const int RegularFile = 0x8000;
    const ushort X64Machine = 0x3E;
    static readonly TimeSpan HostStartBudget = TimeSpan.FromSeconds(30);

    [Fact]
    public void The_root_holds_host_json_and_the_self_contained_ready_to_run_handler_it_names_with_its_executable_bit()
    {
        using var zip = package.Open();
        var hostJson = Text(Entry(zip, "host.json"));
        var executable = DefaultExecutablePath(hostJson);

        Assert.Equal(File.ReadAllText(Path.Combine(Repository.Root, "host.json")), hostJson);
        var handler = Entry(zip, executable);
        var mode = DeploymentPackage.UnixMode(handler);
        Assert.Equal(RegularFile, mode & FileTypeMask);
        Assert.True((mode & (int)UnixFileMode.UserExecute) != 0, $"{executable} has mode {Convert.ToString(mode & 0x1FF, 8)}, without the executable bit");

        var elf = Bytes(handler);
        Assert.Equal("\u007fELF"u8.ToArray(), elf[..4]);
        Assert.Equal(X64Machine, BitConverter.ToUInt16(elf, 18));

        // Self-contained: the runtime travels in the package instead of being looked up on the machine.
        Assert.NotNull(zip.GetEntry("libcoreclr.so"));
        var runtimeOptions = JsonNode.Parse(Text(Entry(zip, $"{executable}.runtimeconfig.json")))!["runtimeOptions"]!;
        Assert.IsType<JsonArray>(runtimeOptions["includedFrameworks"]);

        // The runtime settings the bench measured (bench/results/changes.md) and runs its in-process handler with reach the package.
        var properties = runtimeOptions["configProperties"]!;
        Assert.False((bool)properties["System.Runtime.TieredPGO"]!);
        Assert.True((bool)properties["Microsoft.Extensions.DependencyInjection.DisableDynamicEngine"]!);
        Assert.True((bool)properties["Switch.System.Reflection.ForceInterpretedInvoke"]!);
        Assert.True((bool)properties["System.GC.Server"]!);

        using var assembly = new PEReader(new MemoryStream(Bytes(Entry(zip, $"{executable}.dll"))));
        Assert.True(assembly.PEHeaders.CorHeader!.ManagedNativeHeaderDirectory.Size > 0, $"{executable}.dll is not ReadyToRun");
    }

    [Fact]
    public async Task Every_function_folder_holds_its_source_function_json_and_matches_a_server_route_or_trigger()
    {
        using var zip = package.Open();
        var packaged = zip.Entries.Where(e => e.Name == "function.json" && e.FullName.Count(c => c == '/') == 1)
            .ToDictionary(e => e.FullName.Split('/')[0], Text);
        var sources = Directory.GetDirectories(FunctionJson.FunctionsFolder).Select(Path.GetFileName).Order().ToList();

        Assert.Equal(sources, packaged.Keys.Order());
        Assert.All(packaged, f => Assert.Equal(File.ReadAllText(Path.Combine(FunctionJson.FunctionsFolder, f.Key, "function.json")), f.Value));

        await using var app = new ServerlessCredsApplication { Settings = new Dictionary<string, string?> { ["FUNCTIONS_CUSTOMHANDLER_PORT"] = "7071" } };
        await app.InitializeAsync();
        var endpoints = app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().ToList();
        Assert.All(packaged, function =>
        {
            var trigger = JsonNode.Parse(function.Value)!["bindings"]![0]!;
            // HTTP functions are forwarded to their route; trigger invocations are posted to /{FunctionName}.
            var (route, methods) = trigger["type"]!.GetValue<string>() == "httpTrigger"
                ? (trigger["route"]!.GetValue<string>(), trigger["methods"]!.AsArray().Select(m => m!.GetValue<string>().ToUpperInvariant()).Order().ToList())
                : (function.Key, new List<string> { "POST" });
            Assert.Contains(endpoints, e => e.RoutePattern.RawText!.Trim('/') == route
                && e.Metadata.GetMetadata<HttpMethodMetadata>()!.HttpMethods.Order().SequenceEqual(methods));
        });
        Assert.All(app.Services.GetServices<IQueueMessageHandler>(), handler => FunctionJson.AssertMatches(handler, package.UnpackedFolder));
        Assert.All(app.Services.GetServices<ITimerHandler>(), handler => FunctionJson.AssertMatches(handler, package.UnpackedFolder));
    }

    [Fact]
    public async Task The_unpacked_handler_starts_on_the_hosts_port_and_reaches_storage_and_the_vault_through_its_managed_identity_and_answers_a_queue_invocation()
    {
        await using var azurite = await AzuriteInstance.StartNewAsync();
        await using var vault = await KeyVaultTestServer.StartNewAsync();
        await using var vaultAccess = await vault.StartProcessAccessAsync();
        await using var email = await CommunicationEmailTestServer.StartAsync();
        var settings = TestTokens.Settings(TestTokens.NewSigningKey());
        settings["AzureWebJobsStorage"] = azurite.ConnectionString;
        foreach (var (name, value) in vaultAccess.HandlerSettings)
        {
            settings[name] = value;
        }

        settings["Email:ConnectionString"] = email.ConnectionString;
        settings["Email:SenderAddress"] = "DoNotReply@mail.serverlesscreds.test";
        settings["PublicBaseUrl"] = "https://creds.example.test/";
        var executable = DefaultExecutablePath(File.ReadAllText(Path.Combine(package.UnpackedFolder, "host.json")));

        await using var handler = await HandlerProcess.StartAsync(package.UnpackedFolder, executable, settings, HostStartBudget);
        using var client = new HttpClient { BaseAddress = handler.Address, Timeout = TimeSpan.FromSeconds(30) };

        using var healthRequest = FromHost(HttpMethod.Get, "/api/health");
        using var health = await client.SendAsync(healthRequest);
        // Storage through the connection string; the vault through the managed identity endpoint, as in Azure.
        Assert.True(health.StatusCode == HttpStatusCode.OK, $"health answered {health.StatusCode}. Output:\n{handler.Output}");
        using (var body = JsonDocument.Parse(await health.Content.ReadAsStringAsync()))
        {
            var dependencies = body.RootElement.GetProperty("dependencies");
            Assert.Equal("ok", dependencies.GetProperty("tableStorage").GetString());
            Assert.Equal("ok", dependencies.GetProperty("queueStorage").GetString());
            Assert.Equal("ok", dependencies.GetProperty("keyVault").GetString());
        }

        Assert.Contains(vaultAccess.Identity.Requests, request => request is { Resource: "https://vault.azure.net", Status: 200 });

        // A request for a delivery that does not exist: the function reads the table and completes, touching neither vault nor email.
        using var invocation = FromHost(HttpMethod.Post, "/SendSecretEmail");
        invocation.Content = new StringContent(
            FunctionsHostPayload.Queue("SendSecretEmail", SecretEmailRequests.Write(new SecretEmailMessage("contoso", "app-1", "no-such-delivery")), Guid.NewGuid().ToString(), 1),
            Encoding.UTF8, "application/json");
        using var result = await client.SendAsync(invocation);

        Assert.True(result.StatusCode == HttpStatusCode.OK, $"SendSecretEmail answered {result.StatusCode}. Output:\n{handler.Output}");
        Assert.Equal("application/json", result.Content.Headers.ContentType?.MediaType);
        using (var body = JsonDocument.Parse(await result.Content.ReadAsStringAsync()))
        {
            Assert.Equal(JsonValueKind.Object, body.RootElement.GetProperty("Outputs").ValueKind);
        }

        Assert.Empty(email.SendAttempts);
    }

    /// <summary>A request with the headers the Functions host puts on everything it sends to the handler.</summary>
    static HttpRequestMessage FromHost(HttpMethod method, string path)
    {
        const string HostVersion = "4.1040.300.0";
        var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        request.Headers.Add("X-Azure-Functions-InvocationId", Guid.NewGuid().ToString());
        request.Headers.Add("X-Azure-Functions-HostVersion", HostVersion);
        request.Headers.UserAgent.Add(new ProductInfoHeaderValue("Azure-Functions-Host", HostVersion));
        return request;
    }

    static string DefaultExecutablePath(string hostJson) =>
        JsonNode.Parse(hostJson)!["customHandler"]!["description"]!["defaultExecutablePath"]!.GetValue<string>();

    static ZipArchiveEntry Entry(ZipArchive zip, string name) =>
        zip.GetEntry(name) ?? throw new Xunit.Sdk.XunitException($"The package has no {name} at its root.");

    static string Text(ZipArchiveEntry entry)
    {
        using var reader = new StreamReader(entry.Open());
        return reader.ReadToEnd();
    }

    static byte[] Bytes(ZipArchiveEntry entry)
    {
        using var stream = entry.Open();
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
