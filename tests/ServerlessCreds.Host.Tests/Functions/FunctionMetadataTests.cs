using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using ServerlessCreds.Host.Functions;
using ServerlessCreds.Testing;

namespace ServerlessCreds.Host.Tests.Functions;

/// <summary>The Functions host only forwards what a function.json declares, so the folders must match the server's routes exactly.</summary>
public sealed class FunctionMetadataTests(ServerlessCredsApplication app) : IClassFixture<ServerlessCredsApplication>
{
    [Fact]
    public void Every_http_endpoint_has_a_function_json_with_its_name_route_and_method_and_vice_versa()
    {
        var endpoints = app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<EndpointNameMetadata>() is not null)
            .Select(e => Describe(
                e.Metadata.GetMetadata<EndpointNameMetadata>()!.EndpointName,
                e.Metadata.GetMetadata<HttpMethodMetadata>()!.HttpMethods.Select(m => m.ToLowerInvariant()),
                e.RoutePattern.RawText!.Trim('/')))
            .Order()
            .ToList();

        var declared = HttpFunctions().Select(f => Describe(f.Name, f.Methods, f.Route)).Order().ToList();

        Assert.Equal(endpoints, declared);
    }

    [Fact]
    public void Every_http_function_qualifies_for_raw_forwarding_and_leaves_authorization_to_the_handler()
    {
        foreach (var file in Directory.GetFiles(FunctionJson.FunctionsFolder, "function.json", SearchOption.AllDirectories))
        {
            using var json = JsonDocument.Parse(File.ReadAllText(file));
            var bindings = json.RootElement.GetProperty("bindings").EnumerateArray().ToList();
            if (bindings.Any(b => b.GetProperty("type").GetString() == "httpTrigger"))
            {
                // Forwarding applies only to exactly one httpTrigger in and one http out.
                Assert.Equal(2, bindings.Count);
                Assert.Equal("http", bindings[1].GetProperty("type").GetString());
                Assert.Equal("anonymous", bindings[0].GetProperty("authLevel").GetString());
            }
        }
    }

    [Fact]
    public void Host_json_turns_on_forwarding_and_removes_the_route_prefix()
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(Repository.Root, "host.json")));
        var handler = json.RootElement.GetProperty("customHandler");

        Assert.True(handler.GetProperty("enableForwardingHttpRequest").GetBoolean());
        Assert.Equal("ServerlessCreds.Host", handler.GetProperty("description").GetProperty("defaultExecutablePath").GetString());
        Assert.Equal("", json.RootElement.GetProperty("extensions").GetProperty("http").GetProperty("routePrefix").GetString());
    }

    [Fact]
    public void Host_json_queue_settings_are_the_standalone_listener_s_defaults_and_our_message_encoding()
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(Repository.Root, "host.json")));
        var queues = json.RootElement.GetProperty("extensions").GetProperty("queues");
        var standalone = new QueueTriggerOptions();

        Assert.Equal(standalone.BatchSize, queues.GetProperty("batchSize").GetInt32());
        // Delivery attempts follow MaxDequeueCount, so under the host too the last attempt is the one before the poison queue.
        Assert.Equal(standalone.MaxDequeueCount, queues.GetProperty("maxDequeueCount").GetInt32());
        Assert.Equal(standalone.RetryDelay, TimeSpan.Parse(queues.GetProperty("visibilityTimeout").GetString()!, CultureInfo.InvariantCulture));
        Assert.Equal(standalone.MaxPollingInterval, TimeSpan.Parse(queues.GetProperty("maxPollingInterval").GetString()!, CultureInfo.InvariantCulture));
        // QueueClient writes message text as base64, so the trigger must decode it.
        Assert.Equal("base64", queues.GetProperty("messageEncoding").GetString());
    }

    [Fact]
    public void Host_json_keeps_request_paths_out_of_application_insights()
    {
        // Link tokens travel in paths (/s/{token}, /api/one-time-secrets/{token}/reveal): the host's request telemetry
        // records paths only when extended HTTP trigger info is collected, and anyone reading it could open an unviewed link.
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(Repository.Root, "host.json")));
        var collection = json.RootElement.GetProperty("logging").GetProperty("applicationInsights").GetProperty("httpAutoCollectionOptions");

        Assert.False(collection.GetProperty("enableHttpTriggerExtendedInfoCollection").GetBoolean());
    }

    static string Describe(string name, IEnumerable<string> methods, string route) => $"{name}: {string.Join(",", methods.Order())} {route}";

    static IEnumerable<(string Name, IReadOnlyList<string> Methods, string Route)> HttpFunctions()
    {
        foreach (var folder in Directory.GetDirectories(FunctionJson.FunctionsFolder))
        {
            var file = Path.Combine(folder, "function.json");
            Assert.True(File.Exists(file), $"{folder} has no function.json");
            using var json = JsonDocument.Parse(File.ReadAllText(file));
            var trigger = json.RootElement.GetProperty("bindings")[0];
            if (trigger.GetProperty("type").GetString() == "httpTrigger")
            {
                yield return (Path.GetFileName(folder), trigger.GetProperty("methods").EnumerateArray().Select(m => m.GetString()!).ToList(),
                    trigger.GetProperty("route").GetString()!);
            }
        }
    }
}
