namespace ServerlessCreds.Adapters.Tables;

public enum TableTransactionActionType
{
    Add,
    UpdateMerge,
    UpdateReplace,
    Delete,
    UpsertMerge,
    UpsertReplace,
}

/// <summary>One operation of an entity-group transaction; <paramref name="IfMatch"/> applies to updates and deletes (null: <c>*</c>).</summary>
public sealed record TableTransactionAction(TableTransactionActionType ActionType, TableEntity Entity, string? IfMatch = null);
