using System.Globalization;
using System.Text.Json;

namespace ServerlessCreds.Host.Tests;

/// <summary>What the Functions host posts to a custom handler's <c>/{FunctionName}</c>.</summary>
static class FunctionsHostPayload
{
    /// <summary>A queue-trigger invocation as the host's HTTP worker builds it: every non-object value serialized once more.</summary>
    public static string Queue(string functionName, string messageText, string messageId, long dequeueCount)
    {
        var now = DateTimeOffset.UtcNow;
        return JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["Data"] = new Dictionary<string, string> { ["message"] = JsonSerializer.Serialize(messageText) },
            ["Metadata"] = new Dictionary<string, object>
            {
                ["DequeueCount"] = dequeueCount.ToString(CultureInfo.InvariantCulture),
                ["Id"] = JsonSerializer.Serialize(messageId),
                ["InsertionTime"] = JsonSerializer.Serialize(now.ToString("O")),
                ["ExpirationTime"] = JsonSerializer.Serialize(now.AddDays(7).ToString("O")),
                ["NextVisibleTime"] = JsonSerializer.Serialize(now.AddSeconds(30).ToString("O")),
                ["PopReceipt"] = JsonSerializer.Serialize("AgAAAAMAAAAAAAAA"),
                ["sys"] = new Dictionary<string, string>
                {
                    ["MethodName"] = functionName,
                    ["UtcNow"] = now.ToString("O"),
                    ["RandGuid"] = Guid.NewGuid().ToString(),
                },
            },
        });
    }

    /// <summary>A timer-trigger invocation as the host builds it: the schedule status it keeps, and whether the run is late.</summary>
    public static string Timer(string functionName)
    {
        var now = DateTimeOffset.UtcNow;
        return JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["Data"] = new Dictionary<string, object>
            {
                ["timer"] = new Dictionary<string, object>
                {
                    ["Schedule"] = new Dictionary<string, bool> { ["AdjustForDST"] = true },
                    ["ScheduleStatus"] = new Dictionary<string, string>
                    {
                        ["Last"] = now.AddMinutes(-5).ToString("O"),
                        ["Next"] = now.ToString("O"),
                        ["LastUpdated"] = now.AddMinutes(-5).ToString("O"),
                    },
                    ["IsPastDue"] = false,
                },
            },
            ["Metadata"] = new Dictionary<string, object>
            {
                ["sys"] = new Dictionary<string, string>
                {
                    ["MethodName"] = functionName,
                    ["UtcNow"] = now.ToString("O"),
                    ["RandGuid"] = Guid.NewGuid().ToString(),
                },
            },
        });
    }
}
