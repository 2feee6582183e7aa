namespace ServerlessCreds.Host.Functions;

/// <summary>
/// The work behind one queue-triggered function. Under the Functions host it runs when the host posts to
/// <c>/{FunctionName}</c>; standalone, a <see cref="QueueListener"/> polls <see cref="QueueName"/> with the host's semantics.
/// Delivery is at least once (a crash or a slow handler lets the message reappear), so handlers must be idempotent.
/// Register as <c>services.AddSingleton&lt;IQueueMessageHandler, MyHandler&gt;()</c> and add the matching
/// <c>Functions/{FunctionName}/function.json</c> (<see cref="FunctionDefinition.For(IQueueMessageHandler)"/>).
/// </summary>
public interface IQueueMessageHandler
{
    /// <summary>The Functions function (folder) name, also the invocation route.</summary>
    string FunctionName { get; }

    /// <summary>The queue that triggers it; failed messages end in <c>{QueueName}-poison</c>, so at most 56 characters.</summary>
    string QueueName { get; }

    /// <summary>Handles one message. Throwing counts as <see cref="QueueMessageOutcome.Retry"/>.</summary>
    Task<QueueMessageOutcome> HandleAsync(QueueMessageContext message, CancellationToken cancellationToken);
}

/// <summary>A delivered message; <paramref name="Text"/> is already decoded from the queue's base64 encoding.</summary>
/// <param name="DequeueCount">Delivery attempts so far, this one included (1 on the first).</param>
public sealed record QueueMessageContext(string MessageId, long DequeueCount, DateTimeOffset InsertionTime, string Text);
