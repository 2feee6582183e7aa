namespace ServerlessCreds.Audit;

/// <summary>
/// One line of a business unit's audit log. It names who did what to which resource and how it ended; it never holds a
/// secret value, a link token or a passphrase.
/// </summary>
public sealed record AuditEntry
{
    /// <summary>Random, so two entries of the same instant stay apart.</summary>
    public required string Id { get; init; }

    /// <summary>The business unit whose log holds the entry, or <see cref="AuditTrail.PlatformLog"/> for the catalogs.</summary>
    public required string BusinessUnit { get; init; }

    public required DateTimeOffset At { get; init; }
    public required string ActorId { get; init; }
    public required string ActorName { get; init; }

    /// <summary>One of <see cref="AuditActions"/>.</summary>
    public required string Action { get; init; }

    public required string TargetType { get; init; }
    public required string TargetId { get; init; }

    /// <summary>One of <see cref="AuditOutcomes"/>.</summary>
    public required string Outcome { get; init; }

    public required string CorrelationId { get; init; }
}

/// <summary>Who acts: a signed-in caller, the holder of a one-time link, or the service itself.</summary>
public sealed record AuditActor(string Id, string Name)
{
    /// <summary>Reveals are anonymous: the token is the credential, and no address or agent is kept.</summary>
    public static readonly AuditActor LinkHolder = new("link-holder", "One-time link holder");

    public static readonly AuditActor System = new("system", "ServerlessCreds");
}

/// <summary>Who is acting and the request's correlation id, passed to the services that record what they change.</summary>
public sealed record AuditContext(AuditActor Actor, string CorrelationId);

/// <summary>What an entry is about: its type and its id (sub-resources read as the path below the business unit's applications).</summary>
public sealed record AuditTarget(string Type, string Id)
{
    public static AuditTarget Application(string applicationId) => new("application", applicationId);

    public static AuditTarget ApplicationScope(string applicationId, string scope) => new("application-scope", $"{applicationId}/scopes/{scope}");

    public static AuditTarget Secret(string applicationId, string secretId) => new("secret", $"{applicationId}/secrets/{secretId}");

    public static AuditTarget SecretEmail(string applicationId, string deliveryId) => new("secret-email", $"{applicationId}/secret-emails/{deliveryId}");

    public static AuditTarget Scope(string name) => new("scope", name);

    public static AuditTarget ExternalApplication(string id) => new("external-application", id);
}
