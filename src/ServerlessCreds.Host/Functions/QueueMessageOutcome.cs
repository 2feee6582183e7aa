namespace ServerlessCreds.Host.Functions;

public enum QueueMessageOutcomeKind
{
    Completed,
    Retry,
    Deferred,
}

/// <summary>What to do with a handled message.</summary>
public sealed record QueueMessageOutcome
{
    /// <summary>The longest <see cref="Defer"/>: the copy must become visible before its 7-day time to live ends.</summary>
    public static readonly TimeSpan MaxDeferDelay = TimeSpan.FromDays(6);

    QueueMessageOutcome(QueueMessageOutcomeKind kind, TimeSpan delay)
    {
        Kind = kind;
        Delay = delay;
    }

    /// <summary>Done: the message is deleted.</summary>
    public static QueueMessageOutcome Completed { get; } = new(QueueMessageOutcomeKind.Completed, TimeSpan.Zero);

    /// <summary>
    /// Failed attempt: the message reappears after the retry delay with its <c>DequeueCount</c> one higher, and moves to
    /// <c>{queue}-poison</c> once that count reaches the maximum (5).
    /// </summary>
    public static QueueMessageOutcome Retry { get; } = new(QueueMessageOutcomeKind.Retry, TimeSpan.Zero);

    public QueueMessageOutcomeKind Kind { get; }

    /// <summary>The visibility delay of the re-enqueued copy (<see cref="QueueMessageOutcomeKind.Deferred"/> only).</summary>
    public TimeSpan Delay { get; }

    /// <summary>
    /// Not done, but not a failure either (for example a 429 with Retry-After): a copy of the text is enqueued, hidden for
    /// <paramref name="delay"/>, and the original is completed. The copy is a new message: new id, <c>DequeueCount</c> and
    /// insertion time start over and its time to live is the default 7 days, so deferring never burns one of the attempts
    /// (that is the point) and never poisons. A handler that needs an overall deadline must carry it in the message text.
    /// </summary>
    public static QueueMessageOutcome Defer(TimeSpan delay)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delay, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(delay, MaxDeferDelay);
        return new(QueueMessageOutcomeKind.Deferred, delay);
    }
}
