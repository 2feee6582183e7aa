namespace ServerlessCreds.Testing.Faults;

/// <summary>A fault added to a <see cref="FaultProxy"/>; it applies to at most the number of matching requests it was given.</summary>
public sealed class FaultRule
{
    private readonly Func<ProxiedRequest, bool> _match;
    private int _remaining;
    private int _hits;

    internal FaultRule(FaultKind kind, Func<ProxiedRequest, bool> match, int times, int status = 0, Func<CancellationToken, Task>? hold = null)
    {
        ArgumentNullException.ThrowIfNull(match);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(times);
        if (kind is FaultKind.Fail or FaultKind.FailAfterForwarding && status is < 400 or > 599)
        {
            throw new ArgumentOutOfRangeException(nameof(status), status, "A failure status is 400-599.");
        }

        Kind = kind;
        _match = match;
        _remaining = times;
        Status = status;
        Hold = hold;
    }

    /// <summary>How many requests this rule has applied to so far.</summary>
    public int Hits => Volatile.Read(ref _hits);

    internal FaultKind Kind { get; }

    internal int Status { get; }

    /// <summary>What a held request waits for (<see cref="FaultKind.Hold"/> only).</summary>
    internal Func<CancellationToken, Task>? Hold { get; }

    /// <summary>Takes one of the remaining applications if the request matches; concurrent requests never overdraw the count.</summary>
    internal bool TryApply(ProxiedRequest request)
    {
        if (Volatile.Read(ref _remaining) <= 0 || !_match(request))
        {
            return false;
        }

        int remaining;
        do
        {
            remaining = Volatile.Read(ref _remaining);
            if (remaining <= 0)
            {
                return false;
            }
        }
        while (Interlocked.CompareExchange(ref _remaining, remaining - 1, remaining) != remaining);

        Interlocked.Increment(ref _hits);
        return true;
    }
}

internal enum FaultKind
{
    Fail,
    Drop,
    FailAfterForwarding,
    Hold,
}
