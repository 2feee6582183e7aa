namespace ServerlessCreds.Host.Functions;

/// <summary>Standalone stand-in for the Functions timer trigger: runs the handler at each occurrence of its schedule.</summary>
sealed class TimerListener(ITimerHandler handler, TimeProvider time, ILogger<TimerListener> logger) : BackgroundService
{
    // Parsed on construction, so an unsupported schedule fails the start rather than the first tick.
    readonly TimerSchedule schedule = TimerSchedule.Parse(handler.Schedule);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (true)
        {
            var now = time.GetUtcNow();
            await Task.Delay(schedule.NextAfter(now) - now, time, stoppingToken);
            try
            {
                await handler.RunAsync(stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                // Like the Functions timer: a failed run is logged, not retried; the next occurrence runs as usual.
                logger.LogError(e, "Timer function {Function} failed", handler.FunctionName);
            }
        }
    }
}
