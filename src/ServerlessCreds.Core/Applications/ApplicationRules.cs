using ServerlessCreds.Common;
using ServerlessCreds.Scopes;

namespace ServerlessCreds.Applications;

static class ApplicationRules
{
    public static async Task<IReadOnlyList<string>> ResolveScopesAsync(
        ScopeService scopes, IReadOnlyList<string?>? requested, FieldErrors errors, CancellationToken cancellationToken)
    {
        if (requested is null || requested.Count == 0)
        {
            errors.Add("scopes", "At least one scope is required.");
            return [];
        }

        if (requested.Count > Application.MaxScopes)
        {
            errors.Add("scopes", $"At most {Application.MaxScopes} scopes are allowed.");
            return [];
        }

        return await scopes.ResolveAsync(requested, "scopes", errors, cancellationToken);
    }
}
