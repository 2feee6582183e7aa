namespace ServerlessCreds.Testing.CommunicationEmail;

/// <summary>A message the test server accepted (202), as the client sent it.</summary>
public sealed record SentEmail(
    string OperationId,
    string SenderAddress,
    IReadOnlyList<SentEmailRecipient> To,
    string Subject,
    string? PlainText,
    string? Html,
    bool UserEngagementTrackingDisabled,
    IReadOnlyDictionary<string, string> Headers,
    DateTimeOffset ReceivedAt);

public sealed record SentEmailRecipient(string Address, string? DisplayName);

/// <summary>One POST to /emails:send, whatever its outcome. <see cref="Status"/> is 0 when the connection was dropped.</summary>
public sealed record SendAttempt(string? OperationId, int Status, DateTimeOffset At);
