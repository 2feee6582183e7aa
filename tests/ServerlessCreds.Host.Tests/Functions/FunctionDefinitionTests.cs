using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using ServerlessCreds.Host.Functions;
using Xunit.Sdk;

namespace ServerlessCreds.Host.Tests.Functions;

public sealed class FunctionDefinitionTests(ServerlessCredsApplication app) : IClassFixture<ServerlessCredsApplication>
{
    [Fact]
    public void A_queue_handler_gets_a_queue_trigger_on_the_host_storage_connection()
    {
        var handler = new TestQueueHandler("secret-emails", _ => QueueMessageOutcome.Completed);

        AssertJson(
            """{"bindings":[{"type":"queueTrigger","direction":"in","name":"message","queueName":"secret-emails","connection":"AzureWebJobsStorage"}]}""",
            FunctionDefinition.For(handler));
    }

    [Fact]
    public void A_timer_handler_gets_a_timer_trigger_with_its_schedule()
    {
        AssertJson(
            """{"bindings":[{"type":"timerTrigger","direction":"in","name":"timer","schedule":"0 */5 * * * *"}]}""",
            FunctionDefinition.For(new TestTimerHandler("0 */5 * * * *")));
    }

    [Fact]
    public void AssertMatches_accepts_the_generated_file_and_rejects_a_missing_or_different_one()
    {
        var folder = Directory.CreateTempSubdirectory().FullName;
        var handler = new TestQueueHandler("secret-emails", _ => QueueMessageOutcome.Completed);
        Assert.ThrowsAny<XunitException>(() => FunctionJson.AssertMatches(handler, folder));

        Directory.CreateDirectory(Path.Combine(folder, handler.FunctionName));
        var file = Path.Combine(folder, handler.FunctionName, "function.json");
        File.WriteAllText(file, FunctionDefinition.For(handler));
        FunctionJson.AssertMatches(handler, folder);

        File.WriteAllText(file, FunctionDefinition.For(new TestQueueHandler("other-queue", _ => QueueMessageOutcome.Completed)));
        Assert.ThrowsAny<XunitException>(() => FunctionJson.AssertMatches(handler, folder));
        Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public void Every_registered_trigger_handler_has_its_function_json_and_every_trigger_folder_a_handler()
    {
        var queueHandlers = app.Services.GetServices<IQueueMessageHandler>().ToList();
        var timerHandlers = app.Services.GetServices<ITimerHandler>().ToList();
        queueHandlers.ForEach(handler => FunctionJson.AssertMatches(handler, FunctionJson.FunctionsFolder));
        timerHandlers.ForEach(handler => FunctionJson.AssertMatches(handler, FunctionJson.FunctionsFolder));

        var triggerFolders = Directory.GetDirectories(FunctionJson.FunctionsFolder)
            .Where(folder => File.Exists(Path.Combine(folder, "function.json")))
            .Where(folder => TriggerType(Path.Combine(folder, "function.json")) is "queueTrigger" or "timerTrigger")
            .Select(Path.GetFileName)
            .Order();
        Assert.Equal(queueHandlers.Select(h => h.FunctionName).Concat(timerHandlers.Select(h => h.FunctionName)).Order(), triggerFolders);
    }

    static string? TriggerType(string functionJson)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(functionJson));
        return json.RootElement.GetProperty("bindings")[0].GetProperty("type").GetString();
    }

    static void AssertJson(string expected, string actual) =>
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), JsonNode.Parse(actual)), $"Expected {expected}\nActual {actual}");
}
