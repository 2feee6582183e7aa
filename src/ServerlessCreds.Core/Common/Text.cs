using System.Globalization;

namespace ServerlessCreds.Common;

static class Text
{
    /// <summary>
    /// Text elements alone bound nothing (one letter may carry thousands of combining marks), so the stored length is capped
    /// too: this many UTF-16 code units per allowed character, room for any accent, emoji or skin-tone sequence.
    /// </summary>
    public const int MaxCodeUnitsPerCharacter = 8;

    /// <summary>Checks a required display string: present, 1..<paramref name="maxLength"/> characters, no control or invisible format characters.</summary>
    public static void RequireName(FieldErrors errors, string field, string? value, int maxLength = 100)
    {
        if (value is null)
        {
            errors.Add(field, "Is required.");
            return;
        }

        CheckOptional(errors, field, value, 1, maxLength);
    }

    public static void CheckOptional(FieldErrors errors, string field, string? value, int minLength, int maxLength)
    {
        if (value is null)
        {
            return;
        }

        // Length counts text elements so an emoji is one character, as a person would count it.
        var length = new StringInfo(value).LengthInTextElements;
        if (length < minLength || length > maxLength)
        {
            errors.Add(field, $"Must be {minLength} to {maxLength} characters.");
        }
        else if (value.Length > maxLength * MaxCodeUnitsPerCharacter)
        {
            errors.Add(field, $"Must be at most {maxLength * MaxCodeUnitsPerCharacter} UTF-16 code units long (too many combining marks).");
        }

        if (value.Any(char.IsControl))
        {
            errors.Add(field, "Must not contain control characters.");
        }

        if (value.Any(IsHiddenFormat))
        {
            errors.Add(field, "Must not contain invisible format characters such as direction overrides.");
        }

        if (HasLoneSurrogate(value))
        {
            errors.Add(field, "Must be well-formed Unicode text.");
        }
    }

    // Format characters (category Cf) reorder or hide text on screen: U+202E makes "exe.gpj" read "jpg.exe". The joiners
    // ZWJ and ZWNJ stay allowed, as emoji sequences and several scripts need them.
    static bool IsHiddenFormat(char c) => char.GetUnicodeCategory(c) == UnicodeCategory.Format && c is not '\u200C' and not '\u200D';

    static bool HasLoneSurrogate(string value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            if (char.IsHighSurrogate(value[i]) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(value[i]))
            {
                return true;
            }
        }

        return false;
    }
}
