namespace ServerlessCreds.Audit;

public static class AuditActions
{
    public const string ApplicationCreated = "application.created";
    public const string ApplicationUpdated = "application.updated";
    public const string ApplicationDeleted = "application.deleted";
    public const string ApplicationScopeAdded = "application.scope-added";
    public const string ApplicationScopeRemoved = "application.scope-removed";
    public const string SecretCreated = "secret.created";
    public const string SecretRevoked = "secret.revoked";
    public const string SecretEmailRequested = "secret-email.requested";
    public const string SecretEmailSent = "secret-email.sent";
    public const string SecretEmailFailed = "secret-email.failed";
    public const string SecretRevealed = "secret.revealed";
    public const string SecretRevealRefused = "secret.reveal-refused";
    public const string ScopeCreated = "scope.created";
    public const string ExternalApplicationCreated = "external-application.created";
}

public static class AuditOutcomes
{
    /// <summary>Written before a change; stays only if the change's final outcome could not be written (outcome unknown).</summary>
    public const string Started = "started";

    public const string Succeeded = "succeeded";
    public const string Failed = "failed";

    // Why a reveal was refused.
    public const string PassphraseRequired = "passphrase-required";
    public const string WrongPassphrase = "wrong-passphrase";
    public const string Burnt = "burnt";
    public const string AlreadyViewed = "already-viewed";
    public const string Expired = "expired";
    public const string Revoked = "revoked";

    /// <summary>The link's email could not be sent, so the link never went out.</summary>
    public const string NotSent = "not-sent";
}
