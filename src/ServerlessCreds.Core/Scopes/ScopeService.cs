using System.Buffers.Text;
using System.Text;
using System.Text.RegularExpressions;
using ServerlessCreds.Audit;
using ServerlessCreds.Common;

namespace ServerlessCreds.Scopes;

public sealed record NewScope(string? Name, string? DisplayName, string? Description);

public sealed partial class ScopeService(IScopeCatalog catalog, AuditTrail audit)
{
    static readonly StringComparer NameOrder = StringComparer.OrdinalIgnoreCase;

    /// <summary>
    /// The built-in scopes come from code, not only from the seeded rows, so the catalog is complete before (and without)
    /// seeding: seeding runs in the background and never holds up a request.
    /// </summary>
    async Task<IReadOnlyList<Scope>> ListAllAsync(CancellationToken cancellationToken)
    {
        var stored = await catalog.ListAsync(cancellationToken);
        return [.. Scope.BuiltIns.Concat(stored.Where(s => !IsBuiltIn(s.Name))).OrderBy(s => s.Name, NameOrder)];
    }

    /// <summary>
    /// A page of the catalog in name order. The catalog is small and merges the built-ins from code, so it is read whole; the
    /// page token is the last name returned, so a scope added between pages still shows up in its place.
    /// </summary>
    public async Task<Page<Scope>> ListAsync(PageRequest page, CancellationToken cancellationToken)
    {
        var after = page.ContinuationToken is null ? null : NameIn(page.ContinuationToken);
        var rest = (await ListAllAsync(cancellationToken)).Where(s => after is null || NameOrder.Compare(s.Name, after) > 0).ToList();
        var items = rest.Take(page.Size).ToList();
        return new Page<Scope>(items, rest.Count > page.Size ? Base64Url.EncodeToString(Encoding.UTF8.GetBytes(items[^1].Name)) : null);
    }

    static string NameIn(string continuationToken)
    {
        try
        {
            var name = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(continuationToken));
            return NamePattern().IsMatch(name) ? name : throw PageRequest.InvalidContinuation();
        }
        catch (FormatException)
        {
            throw PageRequest.InvalidContinuation();
        }
    }

    /// <summary>Adds a scope; a conflict when one with that name already exists.</summary>
    public async Task<Scope> AddAsync(NewScope request, AuditContext context, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors();
        if (request.Name is null)
        {
            errors.Add("name", "Is required.");
        }
        else if (!NamePattern().IsMatch(request.Name))
        {
            errors.Add("name", "Must start with a letter and use 2 to 64 letters, digits, '.', '_' or '-'.");
        }

        Text.CheckOptional(errors, "displayName", request.DisplayName, 1, 100);
        Text.CheckOptional(errors, "description", request.Description, 0, 500);
        errors.ThrowIfAny();

        var scope = new Scope(request.Name!, request.DisplayName ?? request.Name!, request.Description ?? "", BuiltIn: false);
        return await audit.RecordChangeAsync(context, AuditTrail.PlatformLog, AuditActions.ScopeCreated, AuditTarget.Scope(scope.Name), async () =>
            !IsBuiltIn(scope.Name) && await catalog.TryAddAsync(scope, cancellationToken) is { } version
                ? scope with { Version = version }
                : throw DomainException.Conflict($"A scope named '{scope.Name}' already exists."),
            cancellationToken);
    }

    /// <summary>
    /// Stores the built-in scopes that are not stored yet (one read when they all are); safe to run on every start and from
    /// several instances at once.
    /// </summary>
    public async Task SeedAsync(CancellationToken cancellationToken)
    {
        var stored = await catalog.ListAsync(cancellationToken);
        foreach (var scope in Scope.BuiltIns.Where(b => !stored.Any(s => string.Equals(s.Name, b.Name, StringComparison.OrdinalIgnoreCase))))
        {
            await catalog.TryAddAsync(scope, cancellationToken);
        }
    }

    /// <summary>Resolves requested names to catalog names (case-insensitive), reporting unknown and duplicate names.</summary>
    public async Task<IReadOnlyList<string>> ResolveAsync(IReadOnlyList<string?> names, string field, FieldErrors errors, CancellationToken cancellationToken)
    {
        // Built-in scopes never change, so a request naming only those needs no catalog read.
        var candidates = names.All(name => name is not null && IsBuiltIn(name)) ? Scope.BuiltIns : await ListAllAsync(cancellationToken);
        var known = candidates.ToDictionary(s => s.Name, s => s.Name, StringComparer.OrdinalIgnoreCase);
        var resolved = new List<string>();
        foreach (var name in names)
        {
            if (name is null || !known.TryGetValue(name, out var canonical))
            {
                errors.Add(field, $"'{name}' is not in the scope catalog.");
            }
            else if (resolved.Contains(canonical, StringComparer.OrdinalIgnoreCase))
            {
                errors.Add(field, $"'{name}' is listed more than once.");
            }
            else
            {
                resolved.Add(canonical);
            }
        }

        return resolved;
    }

    static bool IsBuiltIn(string name) => Scope.BuiltIns.Any(b => string.Equals(b.Name, name, StringComparison.OrdinalIgnoreCase));

    [GeneratedRegex(@"^[A-Za-z][A-Za-z0-9._-]{1,63}\z")]
    private static partial Regex NamePattern();
}
