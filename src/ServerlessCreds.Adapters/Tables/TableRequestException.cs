namespace ServerlessCreds.Adapters.Tables;

/// <summary>The Table service refused a request. The message carries status and error code only, never entity values.</summary>
public class TableRequestException(int status, string? errorCode, int? actionIndex = null)
    : Exception(actionIndex is null
        ? $"Table storage returned {status} ({errorCode ?? "no error code"})."
        : $"Table storage returned {status} ({errorCode ?? "no error code"}) for transaction action {actionIndex}.")
{
    public int Status { get; } = status;

    public string? ErrorCode { get; } = errorCode;

    /// <summary>The zero-based index of the failing action when the request was a transaction.</summary>
    public int? ActionIndex { get; } = actionIndex;
}

/// <summary>404: the table or the entity does not exist (<see cref="TableRequestException.ErrorCode"/> tells which).</summary>
public sealed class TableNotFoundException(string? errorCode, int? actionIndex = null)
    : TableRequestException(404, errorCode, actionIndex);

/// <summary>409: the entity (or table) already exists.</summary>
public sealed class TableConflictException(string? errorCode, int? actionIndex = null)
    : TableRequestException(409, errorCode, actionIndex);

/// <summary>412: the entity changed since the ETag passed as <c>ifMatch</c> was read.</summary>
public sealed class TablePreconditionFailedException(string? errorCode, int? actionIndex = null)
    : TableRequestException(412, errorCode, actionIndex);
