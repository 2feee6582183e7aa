using ServerlessCreds.Adapters.Tables;

namespace ServerlessCreds.Adapters.Tests.Tables;

public sealed class TableEntityTests
{
    [Fact]
    public void Entities_reject_system_property_names_and_unsupported_types()
    {
        var entity = new TableEntity("p", "r");

        Assert.Throws<ArgumentException>(() => entity["RowKey"] = "other");
        Assert.Throws<ArgumentException>(() => entity["When"] = DateTime.UtcNow);
        Assert.Throws<ArgumentException>(() => entity["Price"] = 1.5m);
    }

    [Fact]
    public void Typed_getters_return_null_for_missing_properties_and_throw_on_a_type_mismatch()
    {
        var entity = new TableEntity("p", "r") { ["Count"] = 5 };

        Assert.Null(entity.GetString("Missing"));
        Assert.Null(entity.GetInt64("Missing"));
        Assert.Equal(5, entity.GetInt32("Count"));
        var error = Assert.Throws<InvalidOperationException>(() => entity.GetString("Count"));
        Assert.DoesNotContain("5", error.Message, StringComparison.Ordinal);
    }
}
