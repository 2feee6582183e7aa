namespace ServerlessCreds.Adapters.Queues;

/// <summary>The Queue service refused a request (for example 400 <c>PopReceiptMismatch</c>). The message carries status and error code only.</summary>
public class QueueRequestException(int status, string? errorCode)
    : Exception($"Queue storage returned {status} ({errorCode ?? "no error code"}).")
{
    public int Status { get; } = status;

    public string? ErrorCode { get; } = errorCode;
}

/// <summary>404: the queue (<c>QueueNotFound</c>) or the message (<c>MessageNotFound</c>) does not exist.</summary>
public sealed class QueueNotFoundException(string? errorCode) : QueueRequestException(404, errorCode);
