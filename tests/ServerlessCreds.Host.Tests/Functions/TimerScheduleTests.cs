using ServerlessCreds.Host.Functions;

namespace ServerlessCreds.Host.Tests.Functions;

public sealed class TimerScheduleTests
{
    [Theory]
    [InlineData("0 */5 * * * *", "10:03:27.500", "10:05:00")]
    [InlineData("0 */5 * * * *", "10:05:00", "10:10:00")]
    [InlineData("0 */7 * * * *", "10:56:00", "11:00:00")]
    [InlineData("*/15 * * * * *", "10:00:59.500", "10:01:00")]
    [InlineData("*/7 * * * * *", "10:00:56", "10:01:00")]
    [InlineData("*/1 * * * * *", "10:00:00", "10:00:01")]
    public void The_next_occurrence_is_aligned_to_the_clock_like_ncrontab(string schedule, string after, string expected)
    {
        var day = new DateTimeOffset(2024, 5, 6, 0, 0, 0, TimeSpan.Zero);

        var next = TimerSchedule.Parse(schedule).NextAfter(day + TimeSpan.Parse(after, System.Globalization.CultureInfo.InvariantCulture));

        Assert.Equal(day + TimeSpan.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), next);
    }

    [Theory]
    [InlineData("0 0 * * * *")]
    [InlineData("*/0 * * * * *")]
    [InlineData("*/60 * * * * *")]
    [InlineData("5 */5 * * * *")]
    [InlineData("0 */5 * * *")]
    [InlineData("")]
    public void Other_schedules_are_refused_naming_the_supported_forms(string schedule)
    {
        var error = Assert.Throws<FormatException>(() => TimerSchedule.Parse(schedule));

        Assert.Contains($"'{schedule}' is not supported", error.Message, StringComparison.Ordinal);
        Assert.Contains("'0 */N * * * *'", error.Message, StringComparison.Ordinal);
    }
}
