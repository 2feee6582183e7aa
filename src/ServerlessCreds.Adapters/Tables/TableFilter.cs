using System.Globalization;
using System.Text.RegularExpressions;

namespace ServerlessCreds.Adapters.Tables;

/// <summary>Builds OData <c>$filter</c> expressions with correctly quoted literals, so values can never change the expression.</summary>
public static partial class TableFilter
{
    /// <summary>Formats each interpolated value as a literal, like <c>Azure.Data.Tables.TableClient.CreateQueryFilter</c>.</summary>
    public static string Create(FormattableString filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var literals = filter.GetArguments().Select(Literal).ToArray<object?>();
        return string.Format(CultureInfo.InvariantCulture, filter.Format, literals);
    }

    public static string Equal(string property, object value) => Compare(property, "eq", value);

    public static string NotEqual(string property, object value) => Compare(property, "ne", value);

    public static string GreaterThan(string property, object value) => Compare(property, "gt", value);

    public static string GreaterThanOrEqual(string property, object value) => Compare(property, "ge", value);

    public static string LessThan(string property, object value) => Compare(property, "lt", value);

    public static string LessThanOrEqual(string property, object value) => Compare(property, "le", value);

    public static string And(params string[] filters) => Combine("and", filters);

    public static string Or(params string[] filters) => Combine("or", filters);

    /// <summary>Matches string values starting with <paramref name="prefix"/> as a key range (<c>ge prefix and lt next</c>), which the service can seek.</summary>
    public static string StartsWith(string property, string prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        if (prefix.Length == 0)
        {
            return GreaterThanOrEqual(property, "");
        }

        var upperBound = prefix[..^1] + (char)(prefix[^1] + 1);
        return And(GreaterThanOrEqual(property, prefix), LessThan(property, upperBound));
    }

    /// <summary>The OData literal for a value of one of the table types (strings are quoted with <c>'</c> doubled).</summary>
    public static string Literal(object? value) => value switch
    {
        string text => $"'{text.Replace("'", "''", StringComparison.Ordinal)}'",
        bool flag => flag ? "true" : "false",
        int number => number.ToString(CultureInfo.InvariantCulture),
        long number => number.ToString(CultureInfo.InvariantCulture) + "L",
        double number => DoubleLiteral(number),
        DateTimeOffset time => $"datetime'{time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture)}'",
        Guid guid => $"guid'{guid:D}'",
        byte[] bytes => $"X'{Convert.ToHexString(bytes)}'",
        null => throw new ArgumentNullException(nameof(value), "Table filters cannot compare with null."),
        _ => throw new ArgumentException($"Type {value.GetType().Name} is not a supported table type.", nameof(value)),
    };

    private static string Compare(string property, string operation, object value)
    {
        if (!PropertyName().IsMatch(property))
        {
            throw new ArgumentException("The property name is not a valid table property name.", nameof(property));
        }

        return $"{property} {operation} {Literal(value)}";
    }

    private static string Combine(string operation, string[] filters)
    {
        ArgumentOutOfRangeException.ThrowIfZero(filters.Length, nameof(filters));
        return filters.Length == 1 ? filters[0] : string.Join($" {operation} ", filters.Select(filter => $"({filter})"));
    }

    private static string DoubleLiteral(double number)
    {
        var text = number.ToString("R", CultureInfo.InvariantCulture);
        // Without a '.' or exponent the service would read the literal as Int32 and never match a Double property.
        return text.Contains('.', StringComparison.Ordinal) || text.Contains('E', StringComparison.Ordinal) ? text : text + ".0";
    }

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]{0,254}\z")]
    private static partial Regex PropertyName();
}
