namespace ServerlessCreds.Common;

/// <summary>Collects validation messages per field and throws them together.</summary>
public sealed class FieldErrors
{
    readonly Dictionary<string, List<string>> errors = new(StringComparer.Ordinal);

    public void Add(string field, string message)
    {
        if (!errors.TryGetValue(field, out var messages))
        {
            errors[field] = messages = [];
        }

        messages.Add(message);
    }

    public void ThrowIfAny()
    {
        if (errors.Count > 0)
        {
            throw DomainException.Invalid(errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal));
        }
    }
}
