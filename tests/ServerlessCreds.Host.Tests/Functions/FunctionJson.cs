using System.Text.Json.Nodes;
using ServerlessCreds.Host.Functions;
using ServerlessCreds.Testing;

namespace ServerlessCreds.Host.Tests.Functions;

/// <summary>Checks a trigger handler's <c>{functionsFolder}/{FunctionName}/function.json</c> against <see cref="FunctionDefinition"/>.</summary>
public static class FunctionJson
{
    /// <summary>The repository's <c>src/ServerlessCreds.Host/Functions</c>.</summary>
    public static string FunctionsFolder { get; } = Path.Combine(Repository.Root, "src", "ServerlessCreds.Host", "Functions");

    public static void AssertMatches(IQueueMessageHandler handler, string functionsFolder) =>
        AssertMatches(handler.FunctionName, FunctionDefinition.For(handler), functionsFolder);

    public static void AssertMatches(ITimerHandler handler, string functionsFolder) =>
        AssertMatches(handler.FunctionName, FunctionDefinition.For(handler), functionsFolder);

    static void AssertMatches(string functionName, string expected, string functionsFolder)
    {
        var path = Path.Combine(functionsFolder, functionName, "function.json");
        Assert.True(File.Exists(path), $"{path} is missing; it should contain:\n{expected}");
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), JsonNode.Parse(File.ReadAllText(path))), $"{path} should contain:\n{expected}");
    }
}
