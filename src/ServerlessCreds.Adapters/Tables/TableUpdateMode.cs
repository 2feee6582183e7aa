namespace ServerlessCreds.Adapters.Tables;

public enum TableUpdateMode
{
    /// <summary>Keeps stored properties the entity does not mention.</summary>
    Merge,

    /// <summary>Drops stored properties the entity does not mention.</summary>
    Replace,
}
