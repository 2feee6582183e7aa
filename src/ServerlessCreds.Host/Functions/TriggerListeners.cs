using Microsoft.Extensions.Options;

namespace ServerlessCreds.Host.Functions;

/// <summary>
/// Standalone only: one <see cref="QueueListener"/> per <see cref="IQueueMessageHandler"/> and one <see cref="TimerListener"/>
/// per <see cref="ITimerHandler"/>, created at start from whatever handlers are registered, stopped together.
/// </summary>
sealed class TriggerListeners(
    IEnumerable<IQueueMessageHandler> queueHandlers,
    IEnumerable<ITimerHandler> timerHandlers,
    FunctionQueues queues,
    IOptions<QueueTriggerOptions> options,
    TimeProvider time,
    ILoggerFactory loggers) : IHostedService, IDisposable
{
    readonly List<BackgroundService> listeners = [];

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        listeners.AddRange(queueHandlers.Select(handler => new QueueListener(handler, queues, options.Value, time, loggers.CreateLogger<QueueListener>())));
        listeners.AddRange(timerHandlers.Select(handler => new TimerListener(handler, time, loggers.CreateLogger<TimerListener>())));
        foreach (var listener in listeners)
        {
            await listener.StartAsync(cancellationToken);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.WhenAll(listeners.Select(listener => listener.StopAsync(cancellationToken)));

    public void Dispose()
    {
        foreach (var listener in listeners)
        {
            listener.Dispose();
        }
    }
}
