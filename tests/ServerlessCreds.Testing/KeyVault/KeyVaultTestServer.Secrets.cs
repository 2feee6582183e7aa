using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace ServerlessCreds.Testing.KeyVault;

// The secrets REST subset, with Key Vault's rules: every set makes a version, names compare case-insensitively,
// disabled versions answer 403, and a soft-deleted name is reserved until purged.
public sealed partial class KeyVaultTestServer
{
    private const int MaxValueBytes = 25 * 1024;
    private const int MaxPageSize = 25;
    private const int MaxTags = 15;

    private readonly Dictionary<string, List<TestVaultSecret>> _secrets = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, DeletedSecret> _deleted = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Every version of every secret that is not deleted, in the order they were set.</summary>
    public IReadOnlyList<TestVaultSecret> Secrets
    {
        get
        {
            lock (_lock)
            {
                return [.. _secrets.Values.SelectMany(versions => versions)];
            }
        }
    }

    /// <summary>Names of soft-deleted secrets.</summary>
    public IReadOnlyList<string> DeletedSecretNames
    {
        get
        {
            lock (_lock)
            {
                return [.. _deleted.Keys];
            }
        }
    }

    public TestVaultSecret? FindSecret(string name, string version)
    {
        lock (_lock)
        {
            return FindVersion(name, version);
        }
    }

    private void MapSecretRoutes(IEndpointRouteBuilder routes)
    {
        routes.MapPut("/secrets/{name}", SetSecretAsync);
        routes.MapGet("/secrets/{name}/versions", GetSecretVersionsAsync);
        routes.MapGet("/secrets/{name}/{version?}", GetSecretAsync);
        routes.MapPatch("/secrets/{name}/{version}", UpdateSecretAsync);
        routes.MapDelete("/secrets/{name}", DeleteSecretAsync);
        routes.MapGet("/deletedsecrets/{name}", GetDeletedSecretAsync);
        routes.MapFallback(context => WriteErrorAsync(context, 400, "BadParameter", "The request is not supported by this test vault."));
    }

    private async Task SetSecretAsync(HttpContext context)
    {
        var name = RouteValue(context, "name");
        if (!SecretName().IsMatch(name))
        {
            await WriteErrorAsync(context, 400, "BadParameter", "Secret names may contain only 0-9, a-z, A-Z and -, up to 127 characters.");
            return;
        }

        using var body = await ReadJsonAsync(context);
        if (body is null || !body.RootElement.TryGetProperty("value", out var valueElement) || valueElement.ValueKind != JsonValueKind.String)
        {
            await WriteErrorAsync(context, 400, "BadParameter", "The request body must be a JSON object with a string 'value'.");
            return;
        }

        var value = valueElement.GetString()!;
        var update = ParseUpdate(body.RootElement);
        if (Encoding.UTF8.GetByteCount(value) > MaxValueBytes || update.Tags?.Count > MaxTags)
        {
            await WriteErrorAsync(context, 400, "BadParameter", "The secret value is larger than 25 KB or has more than 15 tags.");
            return;
        }

        TestVaultSecret? created = null;
        lock (_lock)
        {
            if (!_deleted.ContainsKey(name))
            {
                var now = UtcNowSeconds();
                created = new TestVaultSecret(
                    name,
                    Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)),
                    value,
                    update.Enabled ?? true,
                    update.ContentType,
                    update.NotBefore,
                    update.ExpiresOn,
                    update.Tags ?? new Dictionary<string, string>(),
                    now,
                    now);
                if (!_secrets.TryGetValue(name, out var versions))
                {
                    _secrets[name] = versions = [];
                }

                versions.Add(created);
            }
        }

        if (created is null)
        {
            await WriteErrorAsync(context, 409, "Conflict", $"Secret {name} is currently in a deleted but recoverable state, and its name cannot be reused; in this state, the secret can only be recovered or purged.", "ObjectIsDeletedButRecoverable");
            return;
        }

        await WriteBundleAsync(context, created, includeValue: true);
    }

    private async Task GetSecretAsync(HttpContext context)
    {
        var name = RouteValue(context, "name");
        var version = context.GetRouteValue("version") as string;
        TestVaultSecret? secret;
        lock (_lock)
        {
            secret = string.IsNullOrEmpty(version)
                ? _secrets.GetValueOrDefault(name)?.LastOrDefault()
                : FindVersion(name, version);
        }

        if (secret is null)
        {
            await WriteSecretNotFoundAsync(context, name);
        }
        else if (!secret.Enabled)
        {
            await WriteErrorAsync(context, 403, "Forbidden", "Operation get is not allowed on a disabled secret.", "SecretDisabled");
        }
        else
        {
            await WriteBundleAsync(context, secret, includeValue: true);
        }
    }

    private async Task UpdateSecretAsync(HttpContext context)
    {
        var name = RouteValue(context, "name");
        var version = RouteValue(context, "version");
        using var body = await ReadJsonAsync(context);
        if (body is null)
        {
            await WriteErrorAsync(context, 400, "BadParameter", "The request body must be a JSON object.");
            return;
        }

        var update = ParseUpdate(body.RootElement);
        TestVaultSecret? updated = null;
        lock (_lock)
        {
            var versions = _secrets.GetValueOrDefault(name);
            var index = versions?.FindIndex(v => string.Equals(v.Version, version, StringComparison.OrdinalIgnoreCase)) ?? -1;
            if (index >= 0)
            {
                var current = versions![index];
                updated = current with
                {
                    Enabled = update.Enabled ?? current.Enabled,
                    ContentType = update.ContentType ?? current.ContentType,
                    NotBefore = update.NotBefore ?? current.NotBefore,
                    ExpiresOn = update.ExpiresOn ?? current.ExpiresOn,
                    Tags = update.Tags ?? current.Tags,
                    Updated = UtcNowSeconds(),
                };
                versions[index] = updated;
            }
        }

        if (updated is null)
        {
            await WriteSecretNotFoundAsync(context, $"{name}/{version}");
            return;
        }

        await WriteBundleAsync(context, updated, includeValue: false);
    }

    private async Task GetSecretVersionsAsync(HttpContext context)
    {
        var name = RouteValue(context, "name");
        var pageSize = MaxPageSize;
        if (context.Request.Query.TryGetValue("maxresults", out var maxResults)
            && (!int.TryParse(maxResults, CultureInfo.InvariantCulture, out pageSize) || pageSize is < 1 or > MaxPageSize))
        {
            await WriteErrorAsync(context, 400, "BadParameter", "maxresults must be between 1 and 25.");
            return;
        }

        var skip = int.TryParse(context.Request.Query["$skiptoken"], CultureInfo.InvariantCulture, out var token) ? token : 0;
        List<TestVaultSecret> page;
        bool more;
        lock (_lock)
        {
            var versions = _secrets.GetValueOrDefault(name) ?? [];
            page = [.. versions.Skip(skip).Take(pageSize)];
            more = versions.Count > skip + pageSize;
        }

        var json = StartJson(context, 200);
        json.WriteStartObject();
        json.WriteStartArray("value");
        foreach (var secret in page)
        {
            json.WriteStartObject();
            WriteProperties(json, context, secret);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        if (more)
        {
            var apiVersion = Uri.EscapeDataString(context.Request.Query["api-version"].ToString());
            json.WriteString("nextLink", FormattableString.Invariant(
                $"{BaseUri(context)}secrets/{name}/versions?api-version={apiVersion}&$skiptoken={skip + pageSize}&maxresults={pageSize}"));
        }
        else
        {
            json.WriteNull("nextLink");
        }

        json.WriteEndObject();
        await FinishJsonAsync(json);
    }

    private async Task DeleteSecretAsync(HttpContext context)
    {
        var name = RouteValue(context, "name");
        DeletedSecret? deleted = null;
        lock (_lock)
        {
            if (_secrets.Remove(name, out var versions))
            {
                _deleted[name] = deleted = new DeletedSecret(versions, UtcNowSeconds());
            }
        }

        if (deleted is null)
        {
            await WriteSecretNotFoundAsync(context, name);
            return;
        }

        await WriteDeletedBundleAsync(context, deleted);
    }

    private async Task GetDeletedSecretAsync(HttpContext context)
    {
        var name = RouteValue(context, "name");
        DeletedSecret? deleted;
        lock (_lock)
        {
            deleted = _deleted.GetValueOrDefault(name);
        }

        if (deleted is null)
        {
            await WriteErrorAsync(context, 404, "SecretNotFound", $"Deleted Secret not found: {name}");
            return;
        }

        await WriteDeletedBundleAsync(context, deleted);
    }

    private TestVaultSecret? FindVersion(string name, string version) =>
        _secrets.GetValueOrDefault(name)?.Find(v => string.Equals(v.Version, version, StringComparison.OrdinalIgnoreCase));

    private static SecretUpdate ParseUpdate(JsonElement body)
    {
        var update = new SecretUpdate();
        if (body.TryGetProperty("contentType", out var contentType) && contentType.ValueKind == JsonValueKind.String)
        {
            update = update with { ContentType = contentType.GetString() };
        }

        if (body.TryGetProperty("tags", out var tags) && tags.ValueKind == JsonValueKind.Object)
        {
            update = update with { Tags = tags.EnumerateObject().ToDictionary(tag => tag.Name, tag => tag.Value.GetString() ?? "") };
        }

        if (body.TryGetProperty("attributes", out var attributes) && attributes.ValueKind == JsonValueKind.Object)
        {
            update = update with
            {
                Enabled = attributes.TryGetProperty("enabled", out var enabled) && enabled.ValueKind is JsonValueKind.True or JsonValueKind.False
                    ? enabled.GetBoolean()
                    : null,
                NotBefore = ReadIntDate(attributes, "nbf"),
                ExpiresOn = ReadIntDate(attributes, "exp"),
            };
        }

        return update;
    }

    private static DateTimeOffset? ReadIntDate(JsonElement attributes, string name) =>
        attributes.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number
            ? DateTimeOffset.FromUnixTimeSeconds(value.GetInt64())
            : null;

    private static async Task<JsonDocument?> ReadJsonAsync(HttpContext context)
    {
        try
        {
            var document = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
            if (document.RootElement.ValueKind == JsonValueKind.Object)
            {
                return document;
            }

            document.Dispose();
            return null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static Task WriteBundleAsync(HttpContext context, TestVaultSecret secret, bool includeValue)
    {
        var json = StartJson(context, 200);
        json.WriteStartObject();
        if (includeValue)
        {
            json.WriteString("value", secret.Value);
        }

        WriteProperties(json, context, secret);
        json.WriteEndObject();
        return FinishJsonAsync(json);
    }

    private static Task WriteDeletedBundleAsync(HttpContext context, DeletedSecret deleted)
    {
        var latest = deleted.Versions[^1];
        var json = StartJson(context, 200);
        json.WriteStartObject();
        WriteProperties(json, context, latest);
        json.WriteString("recoveryId", $"{BaseUri(context)}deletedsecrets/{latest.Name}");
        json.WriteNumber("deletedDate", deleted.DeletedOn.ToUnixTimeSeconds());
        json.WriteNumber("scheduledPurgeDate", deleted.DeletedOn.AddDays(90).ToUnixTimeSeconds());
        json.WriteEndObject();
        return FinishJsonAsync(json);
    }

    private static void WriteProperties(Utf8JsonWriter json, HttpContext context, TestVaultSecret secret)
    {
        json.WriteString("id", $"{BaseUri(context)}secrets/{secret.Name}/{secret.Version}");
        if (secret.ContentType is not null)
        {
            json.WriteString("contentType", secret.ContentType);
        }

        json.WriteStartObject("attributes");
        json.WriteBoolean("enabled", secret.Enabled);
        if (secret.NotBefore is { } notBefore)
        {
            json.WriteNumber("nbf", notBefore.ToUnixTimeSeconds());
        }

        if (secret.ExpiresOn is { } expiresOn)
        {
            json.WriteNumber("exp", expiresOn.ToUnixTimeSeconds());
        }

        json.WriteNumber("created", secret.Created.ToUnixTimeSeconds());
        json.WriteNumber("updated", secret.Updated.ToUnixTimeSeconds());
        json.WriteString("recoveryLevel", "Recoverable+Purgeable");
        json.WriteNumber("recoverableDays", 90);
        json.WriteEndObject();

        json.WriteStartObject("tags");
        foreach (var (tag, value) in secret.Tags)
        {
            json.WriteString(tag, value);
        }

        json.WriteEndObject();
    }

    private static Task WriteSecretNotFoundAsync(HttpContext context, string id) =>
        WriteErrorAsync(context, 404, "SecretNotFound", $"A secret with (name/id) {id} was not found in this key vault.");

    private static Task WriteErrorAsync(HttpContext context, int status, string code, string message, string? innerCode = null)
    {
        var json = StartJson(context, status);
        json.WriteStartObject();
        json.WriteStartObject("error");
        json.WriteString("code", code);
        json.WriteString("message", message);
        if (innerCode is not null)
        {
            json.WriteStartObject("innererror");
            json.WriteString("code", innerCode);
            json.WriteEndObject();
        }

        json.WriteEndObject();
        json.WriteEndObject();
        return FinishJsonAsync(json);
    }

    private static Utf8JsonWriter StartJson(HttpContext context, int status)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        return new Utf8JsonWriter(context.Response.Body);
    }

    // Kestrel forbids synchronous writes, so the writer is only ever flushed asynchronously.
    private static async Task FinishJsonAsync(Utf8JsonWriter json)
    {
        await using (json)
        {
            await json.FlushAsync();
        }
    }

    private static string BaseUri(HttpContext context) => $"https://{context.Request.Host}/";

    private static string RouteValue(HttpContext context, string key) => (string)context.GetRouteValue(key)!;

    // Attribute times are whole seconds on the wire, so they are stored that way.
    private static DateTimeOffset UtcNowSeconds() => DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds());

    [GeneratedRegex(@"^[0-9a-zA-Z-]{1,127}\z")]
    private static partial Regex SecretName();

    private sealed record SecretUpdate(
        bool? Enabled = null,
        string? ContentType = null,
        DateTimeOffset? NotBefore = null,
        DateTimeOffset? ExpiresOn = null,
        Dictionary<string, string>? Tags = null);

    private sealed record DeletedSecret(List<TestVaultSecret> Versions, DateTimeOffset DeletedOn);
}
