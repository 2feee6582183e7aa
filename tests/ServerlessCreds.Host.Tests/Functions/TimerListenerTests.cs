using Microsoft.Extensions.DependencyInjection;
using ServerlessCreds.Host.Functions;

namespace ServerlessCreds.Host.Tests.Functions;

/// <summary>Standalone: timer handlers run on their schedule inside the host.</summary>
public sealed class TimerListenerTests
{
    [Fact]
    public async Task A_timer_handler_runs_at_each_occurrence_of_its_schedule()
    {
        var timer = new TestTimerHandler("*/1 * * * * *");
        await using var app = new ServerlessCredsApplication { ConfigureServices = services => services.AddSingleton<ITimerHandler>(timer) };
        await app.InitializeAsync();
        _ = app.Services;

        await Eventually.TrueAsync(() => timer.Runs >= 2, TimeSpan.FromSeconds(10), "the timer ran twice");
    }

    [Fact]
    public async Task An_unsupported_schedule_fails_the_start_with_a_clear_message()
    {
        var timer = new TestTimerHandler("0 30 9 * * 1-5");
        await using var app = new ServerlessCredsApplication { ConfigureServices = services => services.AddSingleton<ITimerHandler>(timer) };
        await app.InitializeAsync();

        var error = Assert.Throws<FormatException>(() => app.Services);

        Assert.StartsWith("Timer schedule '0 30 9 * * 1-5' is not supported when running standalone", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, timer.Runs);
    }
}
