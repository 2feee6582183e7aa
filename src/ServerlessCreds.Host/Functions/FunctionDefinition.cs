using System.Text;
using System.Text.Json;

namespace ServerlessCreds.Host.Functions;

/// <summary>The <c>function.json</c> each trigger handler needs in <c>Functions/{FunctionName}/</c>; tests check the files against it.</summary>
public static class FunctionDefinition
{
    /// <summary>The queue trigger's binding name: the key of the message text in the invocation's <c>Data</c>.</summary>
    public const string QueueBindingName = "message";

    public const string TimerBindingName = "timer";

    /// <summary>The app setting (prefix) naming the storage account, shared with our own storage clients.</summary>
    public const string StorageConnection = "AzureWebJobsStorage";

    public static string For(IQueueMessageHandler handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return Write(binding =>
        {
            binding.WriteString("type", "queueTrigger");
            binding.WriteString("direction", "in");
            binding.WriteString("name", QueueBindingName);
            binding.WriteString("queueName", handler.QueueName);
            binding.WriteString("connection", StorageConnection);
        });
    }

    public static string For(ITimerHandler handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return Write(binding =>
        {
            binding.WriteString("type", "timerTrigger");
            binding.WriteString("direction", "in");
            binding.WriteString("name", TimerBindingName);
            binding.WriteString("schedule", handler.Schedule);
        });
    }

    static string Write(Action<Utf8JsonWriter> writeTrigger)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("bindings");
            writer.WriteStartObject();
            writeTrigger(writer);
            writer.WriteEndObject();
            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }
}
