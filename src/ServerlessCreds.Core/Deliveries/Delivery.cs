using ServerlessCreds.Credentials;

namespace ServerlessCreds.Deliveries;

/// <summary>Stored lifecycle of a secret email. <see cref="Sending"/> is internal: callers see it as queued.</summary>
public enum DeliveryStatus
{
    Queued,
    Sending,
    Sent,
    Failed,
    Viewed,
    Expired,
    Revoked,
}

/// <summary>One request to email a one-time link to a client secret. It is also the link's state: the link row only points here.</summary>
public sealed record Delivery
{
    public const int MaxWrongPassphrases = 5;

    public required string DeliveryId { get; init; }
    public required string BusinessUnit { get; init; }
    public required string ApplicationId { get; init; }
    public required string SecretId { get; init; }
    public required string RecipientEmail { get; init; }
    public string? RecipientName { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public required string CreatedBy { get; init; }
    public required string CreatedByName { get; init; }
    public required DateTimeOffset ExpiresAt { get; init; }
    public required DeliveryStatus Status { get; init; }
    public DateTimeOffset? SentAt { get; init; }
    public DateTimeOffset? ViewedAt { get; init; }
    public string? FailureReason { get; init; }

    /// <summary>Slow-KDF hash of the optional passphrase; never the passphrase itself.</summary>
    public string? PassphraseHash { get; init; }

    public int WrongPassphrases { get; init; }

    /// <summary>The queue message that claimed the send while <see cref="DeliveryStatus.Sending"/>, and until when; no other copy may send meanwhile.</summary>
    public string? ClaimedBy { get; init; }

    public DateTimeOffset? ClaimedUntil { get; init; }

    /// <summary>The reveal attempt that wrote the last reveal or wrong try: an attempt whose write was applied but whose answer was lost recognises it.</summary>
    public string? RevealAttemptId { get; init; }

    /// <summary>Opaque concurrency token of the stored row; every state change is conditional on it.</summary>
    public string Version { get; init; } = "";

    /// <summary>ACS operation id: stable per delivery, so a resend is recognisable and its acceptance can be looked up.</summary>
    public Guid OperationId => Guid.ParseExact(DeliveryId, "N");

    /// <summary>Whether a copy of the queue message other than <paramref name="messageId"/> holds a live claim to send.</summary>
    public bool IsClaimedByAnotherAt(DateTimeOffset now, string messageId) => ClaimedBy != messageId && now < ClaimedUntil;

    bool IsOpen => Status is DeliveryStatus.Queued or DeliveryStatus.Sending or DeliveryStatus.Sent;

    /// <summary>
    /// The status callers see at <paramref name="now"/>, given the application's <paramref name="secrets"/> (none when it was
    /// deleted): open deliveries read as expired or revoked the moment that becomes true, before any purge.
    /// </summary>
    public DeliveryStatus EffectiveStatus(DateTimeOffset now, IEnumerable<ClientSecret> secrets) =>
        !IsOpen ? Status
        : now >= ExpiresAt ? DeliveryStatus.Expired
        : !secrets.Any(s => s.SecretId == SecretId && s.StateAt(now) == SecretState.Active) ? DeliveryStatus.Revoked
        : Status == DeliveryStatus.Sending ? DeliveryStatus.Queued
        : Status;
}

/// <summary>The queue message: ids only, never the secret or the link token. The correlation id is the requesting call's, for the audit log.</summary>
public sealed record SecretEmailMessage(string BusinessUnit, string ApplicationId, string DeliveryId, string? CorrelationId = null);
