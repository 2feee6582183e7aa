using Microsoft.Extensions.Options;

namespace ServerlessCreds.Host.Functions;

/// <summary>
/// Standalone queue polling (section <c>Queues</c>), mirroring host.json <c>extensions.queues</c> so both modes behave alike.
/// Under the Functions host these are unused: host.json governs.
/// </summary>
public sealed class QueueTriggerOptions
{
    public const string SectionName = "Queues";

    /// <summary>Messages received per poll and handled concurrently, per queue handler (1-32).</summary>
    public int BatchSize { get; set; } = 16;

    /// <summary>How long a received message stays hidden while its handler runs; after a crash it reappears after this (1 s - 7 days).</summary>
    public TimeSpan VisibilityTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a failed message stays hidden before the next attempt (host.json <c>visibilityTimeout</c>).</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Attempts before a failing message moves to <c>{queue}-poison</c>.</summary>
    public int MaxDequeueCount { get; set; } = 5;

    /// <summary>Ceiling of the back-off between empty polls, which starts at 100 ms and doubles.</summary>
    public TimeSpan MaxPollingInterval { get; set; } = TimeSpan.FromSeconds(2);
}

sealed class QueueTriggerOptionsValidator : IValidateOptions<QueueTriggerOptions>
{
    public static readonly TimeSpan MinPollingInterval = TimeSpan.FromMilliseconds(100);
    static readonly TimeSpan MaxVisibility = TimeSpan.FromDays(7);

    public ValidateOptionsResult Validate(string? name, QueueTriggerOptions options)
    {
        const string section = QueueTriggerOptions.SectionName;
        var errors = new List<string>();
        if (options.BatchSize is < 1 or > 32)
        {
            errors.Add($"{section}:BatchSize must be between 1 and 32.");
        }

        if (options.VisibilityTimeout < TimeSpan.FromSeconds(1) || options.VisibilityTimeout > MaxVisibility)
        {
            errors.Add($"{section}:VisibilityTimeout must be between 1 second and 7 days.");
        }

        if (options.RetryDelay < TimeSpan.Zero || options.RetryDelay > MaxVisibility)
        {
            errors.Add($"{section}:RetryDelay must be between 0 and 7 days.");
        }

        if (options.MaxDequeueCount < 1)
        {
            errors.Add($"{section}:MaxDequeueCount must be at least 1.");
        }

        if (options.MaxPollingInterval < MinPollingInterval)
        {
            errors.Add($"{section}:MaxPollingInterval must be at least {MinPollingInterval.TotalMilliseconds} ms.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
