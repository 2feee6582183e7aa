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
using ServerlessCreds.Adapters.Storage;
using ServerlessCreds.Callers;
using ServerlessCreds.Deliveries;
using ServerlessCreds.Host.Functions;
using ServerlessCreds.Host.Tests.Api;
using ServerlessCreds.Host.Tests.Functions;
using ServerlessCreds.Host.Tests.SecretEmails;
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
        // Trimmed: publishing sets this with PublishTrimmed, so the API must serialize through generated code alone.
        Assert.False((bool)properties["System.Text.Json.JsonSerializer.IsReflectionEnabledByDefault"]!);

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
    public async Task The_unpacked_handler_starts_on_the_hosts_port_and_reaches_storage_and_the_vault_through_its_managed_identity_and_answers_queue_and_timer_invocations()
    {
        await using var packaged = await PackagedHandler.StartAsync(package);
        var client = packaged.Client;

        using var healthRequest = FromHost(HttpMethod.Get, "/api/health");
        using var health = await client.SendAsync(healthRequest);
        // Storage through the connection string; the vault through the managed identity endpoint, as in Azure.
        Assert.True(health.StatusCode == HttpStatusCode.OK, $"health answered {health.StatusCode}. Output:\n{packaged.Output}");
        using (var body = JsonDocument.Parse(await health.Content.ReadAsStringAsync()))
        {
            var dependencies = body.RootElement.GetProperty("dependencies");
            Assert.Equal("ok", dependencies.GetProperty("tableStorage").GetString());
            Assert.Equal("ok", dependencies.GetProperty("queueStorage").GetString());
            Assert.Equal("ok", dependencies.GetProperty("keyVault").GetString());
        }

        Assert.Contains(packaged.VaultAccess.Identity.Requests, request => request is { Resource: "https://vault.azure.net", Status: 200 });

        // A request for a delivery that does not exist: the function reads the table and completes, touching neither vault nor email.
        using var result = await packaged.InvokeAsync("SendSecretEmail", FunctionsHostPayload.Queue(
            "SendSecretEmail", SecretEmailRequests.Write(new SecretEmailMessage("contoso", "app-1", "no-such-delivery")), Guid.NewGuid().ToString(), 1));

        Assert.True(result.StatusCode == HttpStatusCode.OK, $"SendSecretEmail answered {result.StatusCode}. Output:\n{packaged.Output}");
        Assert.Equal("application/json", result.Content.Headers.ContentType?.MediaType);
        using (var body = JsonDocument.Parse(await result.Content.ReadAsStringAsync()))
        {
            Assert.Equal(JsonValueKind.Object, body.RootElement.GetProperty("Outputs").ValueKind);
        }

        Assert.Empty(packaged.Email.SendAttempts);

        // The purge timer's run: its queries and deletes over every table, nothing yet to purge.
        using var purged = await packaged.InvokeAsync("PurgeExpired", FunctionsHostPayload.Timer("PurgeExpired"));
        Assert.True(purged.StatusCode == HttpStatusCode.OK, $"PurgeExpired answered {purged.StatusCode}. Output:\n{packaged.Output}");
    }

    /// <summary>
    /// The package is trimmed and serializes without reflection, so the code paths the in-process tests cover run here too,
    /// as built: a bearer token, request and problem bodies, vault, tables, queue, ACS, the reveal pages (with a
    /// passphrase) and API, OpenAPI.
    /// </summary>
    [Fact]
    public async Task The_unpacked_handler_issues_a_credential_and_delivers_it_through_a_one_time_link_revealed_once()
    {
        await using var packaged = await PackagedHandler.StartAsync(package);
        var client = packaged.Client;
        const string BusinessUnit = "contoso";
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TestTokens.Create(packaged.SigningKey,
            roles: [Roles.View, Roles.Create, Roles.SendSecretEmail], businessUnit: BusinessUnit, name: "Package Tester"));
        var applications = $"/api/business-units/{BusinessUnit}/applications";

        var invalid = await (await client.PostJsonAsync(applications, new { kind = "internal", vendorName = "", applicationName = "Packaged", scopes = new[] { "Admin" } }))
            .ExpectProblemAsync(HttpStatusCode.BadRequest);
        Assert.True(invalid.GetProperty("errors").TryGetProperty("vendorName", out _), invalid.ToString());

        var created = await (await client.PostJsonAsync(applications, new
        {
            kind = "internal", vendorName = "Contoso", applicationName = "Packaged", scopes = new[] { "Admin", "Reporting" },
            callbackUrls = new[] { "https://app.contoso.example/callback" },
        })).ExpectAsync(HttpStatusCode.Created);
        var id = created.GetProperty("id").GetString()!;
        var clientSecret = created.GetProperty("clientSecret").GetString()!;
        Assert.Equal(40, clientSecret.Length);

        var fetched = await (await client.GetAsync($"{applications}/{id}")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(created.GetProperty("clientId").GetString(), fetched.GetProperty("clientId").GetString());
        Assert.Equal(["Admin", "Reporting"], fetched.GetProperty("scopes").Strings());
        Assert.False(fetched.TryGetProperty("clientSecret", out _));

        const string Passphrase = "correct horse battery";
        await (await client.PostJsonAsync($"{applications}/{id}/secret-emails", new { recipientEmail = "package@customer.example", passphrase = Passphrase }))
            .ExpectAsync(HttpStatusCode.Accepted);
        // As the Functions host: take the message off the queue and post it to the function.
        var queue = new QueueClient(StorageAccount.Parse(packaged.Azurite.ConnectionString), SecretEmailRequests.QueueName);
        var message = Assert.Single(await queue.ReceiveAsync(32, TimeSpan.FromSeconds(30)));
        string invocationResponse;
        using (var invoked = await packaged.InvokeAsync("SendSecretEmail", FunctionsHostPayload.Queue("SendSecretEmail", message.Text!, message.MessageId, message.DequeueCount)))
        {
            Assert.True(invoked.StatusCode == HttpStatusCode.OK, $"SendSecretEmail answered {invoked.StatusCode}. Output:\n{packaged.Output}");
            invocationResponse = await invoked.Content.ReadAsStringAsync();
        }

        var token = SecretEmailFlow.TokenIn(Assert.Single(packaged.Email.SentMessages));
        using var anonymous = new HttpClient { BaseAddress = packaged.Client.BaseAddress };
        using var page = await anonymous.GetAsync($"/s/{token}");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("Reveal secret", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var revealed = await anonymous.PostAsync($"/s/{token}", new FormUrlEncodedContent(new Dictionary<string, string> { ["passphrase"] = Passphrase }));
        Assert.Equal(HttpStatusCode.OK, revealed.StatusCode);
        Assert.Contains($"<code id=\"client-secret\">{clientSecret}</code>", await revealed.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await (await anonymous.PostJsonAsync($"/api/one-time-secrets/{token}/reveal", new { passphrase = Passphrase })).ExpectProblemAsync(HttpStatusCode.Gone);

        var document = await (await anonymous.GetAsync("/api/openapi.json")).ExpectAsync(HttpStatusCode.OK);
        Assert.True(document.GetProperty("paths").TryGetProperty("/api/business-units/{bu}/applications", out _));
        // The transformers and the schemas of optional members work trimmed too.
        Assert.True(document.GetProperty("components").GetProperty("securitySchemes").TryGetProperty("Bearer", out _));
        Assert.Equal(["kind"], document.GetProperty("components").GetProperty("schemas").GetProperty("CreateApplicationRequest").GetProperty("required").Strings());
        Assert.True(document.GetProperty("paths").GetProperty("/api/one-time-secrets/{token}/reveal").GetProperty("post").GetProperty("responses").TryGetProperty("429", out _));

        // Neither the handler's own output (its production logging) nor the logs it returns to the host hold the secret, the link token
        // or the passphrase.
        foreach (var written in new[] { packaged.Output, invocationResponse })
        {
            Assert.DoesNotContain(clientSecret, written, StringComparison.Ordinal);
            Assert.DoesNotContain(token, written, StringComparison.Ordinal);
            Assert.DoesNotContain(Passphrase, written, StringComparison.Ordinal);
        }
    }

    /// <summary>
    /// The unpacked handler started as the Functions host starts it, with Azurite, the Key Vault test server (reached
    /// through an App Service managed identity endpoint, as in Azure) and the ACS test server; HS256 bearer tokens.
    /// </summary>
    sealed class PackagedHandler : IAsyncDisposable
    {
        readonly List<IAsyncDisposable> resources = [];

        public string SigningKey { get; } = TestTokens.NewSigningKey();
        public AzuriteInstance Azurite { get; private set; } = null!;
        public VaultProcessAccess VaultAccess { get; private set; } = null!;
        public CommunicationEmailTestServer Email { get; private set; } = null!;
        public HttpClient Client { get; private set; } = null!;
        HandlerProcess handler = null!;

        public string Output => handler.Output;

        public static async Task<PackagedHandler> StartAsync(DeploymentPackage package)
        {
            var packaged = new PackagedHandler();
            try
            {
                await packaged.StartAsync(package.UnpackedFolder);
                return packaged;
            }
            catch
            {
                await packaged.DisposeAsync();
                throw;
            }
        }

        async Task StartAsync(string appRoot)
        {
            Azurite = Add(await AzuriteInstance.StartNewAsync());
            var vault = Add(await KeyVaultTestServer.StartNewAsync());
            VaultAccess = Add(await vault.StartProcessAccessAsync());
            Email = Add(await CommunicationEmailTestServer.StartAsync());
            var settings = TestTokens.Settings(SigningKey);
            settings["AzureWebJobsStorage"] = Azurite.ConnectionString;
            foreach (var (name, value) in VaultAccess.HandlerSettings)
            {
                settings[name] = value;
            }

            settings["Email:ConnectionString"] = Email.ConnectionString;
            settings["Email:SenderAddress"] = "DoNotReply@mail.serverlesscreds.test";
            settings["PublicBaseUrl"] = "https://creds.example.test/";
            var executable = DefaultExecutablePath(File.ReadAllText(Path.Combine(appRoot, "host.json")));
            handler = Add(await HandlerProcess.StartAsync(appRoot, executable, settings, HostStartBudget));
            Client = new HttpClient { BaseAddress = handler.Address, Timeout = TimeSpan.FromSeconds(30) };
        }

        /// <summary>Posts a trigger invocation to <c>/{functionName}</c> as the host does.</summary>
        public async Task<HttpResponseMessage> InvokeAsync(string functionName, string payload)
        {
            using var invocation = FromHost(HttpMethod.Post, $"/{functionName}");
            invocation.Content = new StringContent(payload, Encoding.UTF8, "application/json");
            return await Client.SendAsync(invocation);
        }

        T Add<T>(T resource) where T : IAsyncDisposable
        {
            resources.Add(resource);
            return resource;
        }

        public async ValueTask DisposeAsync()
        {
            Client?.Dispose();
            // The handler first, then what it reaches.
            for (var i = resources.Count - 1; i >= 0; i--)
            {
                await resources[i].DisposeAsync();
            }
        }
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
