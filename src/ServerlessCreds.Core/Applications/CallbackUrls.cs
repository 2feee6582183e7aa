using ServerlessCreds.Common;

namespace ServerlessCreds.Applications;

/// <summary>OAuth redirect targets: absolute https (http only for loopback development), no fragment, unique after normalisation.</summary>
public static class CallbackUrls
{
    public const int MaxCount = 5;
    public const int MaxLength = 2048;

    /// <summary>Validates and normalises (scheme and host lower-cased); reports problems under <paramref name="field"/>.</summary>
    public static IReadOnlyList<string> Normalise(IReadOnlyList<string?> urls, string field, FieldErrors errors)
    {
        if (urls.Count > MaxCount)
        {
            errors.Add(field, $"At most {MaxCount} callback URLs are allowed.");
            return [];
        }

        var normalised = new List<string>();
        foreach (var url in urls)
        {
            if (TryNormalise(url, out var value, out var problem))
            {
                if (normalised.Contains(value, StringComparer.Ordinal))
                {
                    errors.Add(field, $"'{url}' is listed more than once.");
                }
                else
                {
                    normalised.Add(value);
                }
            }
            else
            {
                errors.Add(field, problem);
            }
        }

        return normalised;
    }

    static bool TryNormalise(string? url, out string value, out string problem)
    {
        value = "";
        if (string.IsNullOrEmpty(url))
        {
            problem = "A callback URL must not be empty.";
            return false;
        }

        if (url.Length > MaxLength)
        {
            problem = $"A callback URL must be at most {MaxLength} characters.";
            return false;
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || url.Any(char.IsWhiteSpace) || string.IsNullOrEmpty(uri.Host))
        {
            problem = $"'{url}' is not an absolute URL.";
            return false;
        }

        var loopback = uri.Host is "localhost" or "127.0.0.1";
        if (uri.Scheme != Uri.UriSchemeHttps && !(uri.Scheme == Uri.UriSchemeHttp && loopback))
        {
            problem = $"'{url}' must use https (http is allowed only for localhost and 127.0.0.1).";
            return false;
        }

        if (url.Contains('#', StringComparison.Ordinal))
        {
            problem = $"'{url}' must not have a fragment.";
            return false;
        }

        if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            problem = $"'{url}' must not carry user information.";
            return false;
        }

        // Uri already lower-cases scheme and host; path and query keep their case because servers may treat them case-sensitively.
        value = uri.GetComponents(UriComponents.SerializationInfoString, UriFormat.UriEscaped);
        // The limit is on what is stored: percent-encoding makes each non-ASCII character up to 12 characters long.
        if (value.Length > MaxLength)
        {
            value = "";
            problem = $"A callback URL must be at most {MaxLength} characters once percent-encoded.";
            return false;
        }

        problem = "";
        return true;
    }
}
