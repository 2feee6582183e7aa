using System.Collections.Concurrent;
using ServerlessCreds.Host.Functions;

namespace ServerlessCreds.Host.Tests.Functions;

/// <summary>A queue handler whose behaviour each test supplies; records every delivery and the peak concurrency.</summary>
sealed class TestQueueHandler(string queueName, Func<QueueMessageContext, int, CancellationToken, Task<QueueMessageOutcome>> handle) : IQueueMessageHandler
{
    int running;
    int maxConcurrency;
    int calls;

    public TestQueueHandler(string queueName, Func<QueueMessageContext, QueueMessageOutcome> handle)
        : this(queueName, (message, _, _) => Task.FromResult(handle(message)))
    {
    }

    public string FunctionName => "TestQueueFunction";

    public string QueueName => queueName;

    public ConcurrentQueue<QueueMessageContext> Received { get; } = new();

    public int MaxConcurrency => Volatile.Read(ref maxConcurrency);

    public async Task<QueueMessageOutcome> HandleAsync(QueueMessageContext message, CancellationToken cancellationToken)
    {
        Received.Enqueue(message);
        var now = Interlocked.Increment(ref running);
        InterlockedMax(ref maxConcurrency, now);
        try
        {
            return await handle(message, Interlocked.Increment(ref calls), cancellationToken);
        }
        finally
        {
            Interlocked.Decrement(ref running);
        }
    }

    static void InterlockedMax(ref int target, int value)
    {
        var current = Volatile.Read(ref target);
        while (value > current && Interlocked.CompareExchange(ref target, value, current) is var seen && seen != current)
        {
            current = seen;
        }
    }
}

sealed class TestTimerHandler(string schedule) : ITimerHandler
{
    int runs;

    public string FunctionName => "TestTimerFunction";

    public string Schedule => schedule;

    public int Runs => Volatile.Read(ref runs);

    public Task RunAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref runs);
        return Task.CompletedTask;
    }
}
