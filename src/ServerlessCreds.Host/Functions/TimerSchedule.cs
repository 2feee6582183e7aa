using System.Globalization;
using System.Text.RegularExpressions;

namespace ServerlessCreds.Host.Functions;

/// <summary>
/// The NCRONTAB subset the standalone <see cref="TimerListener"/> understands: every N seconds (<c>*/N * * * * *</c>) or
/// every N minutes at second 0 (<c>0 */N * * * *</c>), aligned to the clock like NCRONTAB (N = 1-59).
/// </summary>
sealed partial class TimerSchedule
{
    readonly TimeSpan unit;
    readonly int step;

    TimerSchedule(TimeSpan unit, int step)
    {
        this.unit = unit;
        this.step = step;
    }

    public static TimerSchedule Parse(string expression)
    {
        var match = Steps().Match(expression ?? "");
        var step = match.Success ? int.Parse(match.Groups["n"].Value, CultureInfo.InvariantCulture) : 0;
        if (step is < 1 or > 59)
        {
            throw new FormatException(
                $"Timer schedule '{expression}' is not supported when running standalone; use '*/N * * * * *' (seconds) or '0 */N * * * *' (minutes), N from 1 to 59.");
        }

        return new(match.Groups["seconds"].Success ? TimeSpan.FromSeconds(1) : TimeSpan.FromMinutes(1), step);
    }

    /// <summary>The first occurrence strictly after <paramref name="after"/>.</summary>
    public DateTimeOffset NextAfter(DateTimeOffset after)
    {
        var next = new DateTimeOffset(after.UtcTicks - (after.UtcTicks % unit.Ticks), TimeSpan.Zero) + unit;
        while ((unit == TimeSpan.FromSeconds(1) ? next.Second : next.Minute) % step != 0)
        {
            next += unit;
        }

        return next;
    }

    [GeneratedRegex(@"^\s*(?:(?<seconds>\*/(?<n>\d{1,2}) \* \* \* \* \*)|0 \*/(?<n>\d{1,2}) \* \* \* \*)\s*\z", RegexOptions.CultureInvariant)]
    private static partial Regex Steps();
}
