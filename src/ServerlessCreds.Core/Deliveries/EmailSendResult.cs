namespace ServerlessCreds.Deliveries;

/// <summary>What the email service said about one send. Transient failures are exceptions, not results.</summary>
public abstract record EmailSendResult
{
    EmailSendResult()
    {
    }

    /// <summary>The service queued the message for delivery.</summary>
    public sealed record Accepted : EmailSendResult;

    /// <summary>The service refused the message for good (bad recipient, sender or content); do not retry.</summary>
    public sealed record Rejected(string Reason) : EmailSendResult;

    /// <summary>The service is over quota; send again, with the same operation id, after <paramref name="RetryAfter"/>.</summary>
    public sealed record Throttled(TimeSpan RetryAfter) : EmailSendResult;
}
