using ServerlessCreds.Adapters.Tables;

namespace ServerlessCreds.Adapters.Tests.Tables;

public sealed class TableFilterTests
{
    [Fact]
    public void String_literals_double_their_quotes()
    {
        Assert.Equal("PartitionKey eq 'O''Brien'", TableFilter.Equal("PartitionKey", "O'Brien"));
        Assert.Equal("RowKey eq 'x'' or RowKey ne ''x'", TableFilter.Equal("RowKey", "x' or RowKey ne 'x"));
    }

    [Fact]
    public void Literals_of_every_table_type_use_the_odata_syntax()
    {
        var when = new DateTimeOffset(2024, 5, 1, 12, 0, 0, TimeSpan.FromHours(2));
        var id = Guid.Parse("66cf3753-1cc9-44c4-b857-4546f744901b");

        Assert.Equal("true", TableFilter.Literal(true));
        Assert.Equal("42", TableFilter.Literal(42));
        Assert.Equal("42L", TableFilter.Literal(42L));
        Assert.Equal("4.5", TableFilter.Literal(4.5));
        Assert.Equal("3.0", TableFilter.Literal(3.0));
        Assert.Equal("datetime'2024-05-01T10:00:00.0000000Z'", TableFilter.Literal(when));
        Assert.Equal("guid'66cf3753-1cc9-44c4-b857-4546f744901b'", TableFilter.Literal(id));
        Assert.Equal("X'FF0203'", TableFilter.Literal(new byte[] { 0xFF, 2, 3 }));
        Assert.Throws<ArgumentException>(() => TableFilter.Literal(DateTime.UtcNow));
    }

    [Fact]
    public void Create_formats_interpolated_values_as_literals()
    {
        var owner = "a'b";

        Assert.Equal("Owner eq 'a''b' and Count gt 5L", TableFilter.Create($"Owner eq {owner} and Count gt {5L}"));
    }

    [Fact]
    public void And_and_or_parenthesize_each_operand()
    {
        Assert.Equal(
            "(PartitionKey eq 'p') and ((Status eq 'active') or (Status eq 'new'))",
            TableFilter.And(TableFilter.Equal("PartitionKey", "p"), TableFilter.Or(TableFilter.Equal("Status", "active"), TableFilter.Equal("Status", "new"))));
    }

    [Fact]
    public void Starts_with_is_a_half_open_key_range()
    {
        Assert.Equal("(RowKey ge 'app:') and (RowKey lt 'app;')", TableFilter.StartsWith("RowKey", "app:"));
    }

    [Fact]
    public void Property_names_that_are_not_identifiers_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => TableFilter.Equal("Name eq 'x' or Name", "y"));
        Assert.Throws<ArgumentException>(() => TableFilter.Equal("Name\n", "y"));
    }
}
