namespace ServerlessCreds.Common;

public enum DomainErrorKind
{
    Invalid,
    Conflict,
    VersionMismatch,
}

/// <summary>A request that breaks a domain rule. The host maps each kind to one problem response.</summary>
public sealed class DomainException : Exception
{
    DomainException(DomainErrorKind kind, string message, IReadOnlyDictionary<string, string[]>? errors)
        : base(message)
    {
        Kind = kind;
        Errors = errors ?? new Dictionary<string, string[]>();
    }

    public DomainErrorKind Kind { get; }

    /// <summary>Field name (camelCase, as in the contract) to messages; filled for <see cref="DomainErrorKind.Invalid"/>.</summary>
    public IReadOnlyDictionary<string, string[]> Errors { get; }

    public static DomainException Invalid(IReadOnlyDictionary<string, string[]> errors) =>
        new(DomainErrorKind.Invalid, "One or more fields are invalid.", errors);

    public static DomainException Invalid(string field, string message) =>
        Invalid(new Dictionary<string, string[]> { [field] = [message] });

    public static DomainException Conflict(string message) => new(DomainErrorKind.Conflict, message, null);

    public static DomainException VersionMismatch() =>
        new(DomainErrorKind.VersionMismatch, "The resource was changed by someone else; read it again and retry.", null);
}
