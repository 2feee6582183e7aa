using System.Text.RegularExpressions;

namespace ServerlessCreds.Common;

public static partial class BusinessUnits
{
    /// <summary>Business-unit ids become table partition keys, so only key-safe characters are accepted.</summary>
    public static bool IsValid(string businessUnit) => Pattern().IsMatch(businessUnit);

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}\z")]
    private static partial Regex Pattern();
}
