using System.Globalization;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;

namespace ServerlessCreds.Adapters.Email;

/// <summary>
/// Retries 5xx, timeouts and network faults a few times, and waits out a 429 only when the service asks for a short
/// pause: a longer one is returned to the caller, whose queue can hold the message without holding a function instance.
/// </summary>
internal sealed class EmailRetryPolicy(int maxRetries, DelayStrategy delayStrategy) : RetryPolicy(maxRetries, delayStrategy)
{
    public static readonly TimeSpan LongestWaitInProcess = TimeSpan.FromSeconds(2);

    protected override bool ShouldRetry(HttpMessage message, Exception? exception) =>
        base.ShouldRetry(message, exception) && !IsLongThrottle(message);

    protected override ValueTask<bool> ShouldRetryAsync(HttpMessage message, Exception? exception) =>
        new(ShouldRetry(message, exception));

    static bool IsLongThrottle(HttpMessage message)
    {
        if (!message.HasResponse || message.Response.Status != 429)
        {
            return false;
        }

        TimeSpan? wait = ReadRetryAfter(message.Response);
        return wait is null || wait > LongestWaitInProcess;
    }

    /// <summary>The Retry-After header as seconds or an HTTP date; null when absent or unreadable.</summary>
    public static TimeSpan? ReadRetryAfter(Response response)
    {
        if (!response.Headers.TryGetValue("Retry-After", out string? value))
        {
            return null;
        }

        if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int seconds))
        {
            return TimeSpan.FromSeconds(seconds);
        }

        if (DateTimeOffset.TryParseExact(value, "r", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
        {
            TimeSpan wait = at - DateTimeOffset.UtcNow;
            return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
        }

        return null;
    }
}
