using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using ServerlessCreds.Callers;
using ServerlessCreds.Host.Tests.Api;
using ServerlessCreds.Host.Tests.Authentication;
using ServerlessCreds.Testing.Callers;

namespace ServerlessCreds.Host.Tests.Hostile;

/// <summary>
/// Hostile requests, one table row each: every one gets its documented status as problem+json with a correlation id, and
/// changes nothing (every table row and the vault are compared before and after).
/// </summary>
public sealed class HostileInputTests(HostileFixture fixture) : IClassFixture<HostileFixture>
{
    const string Apps = "/api/business-units/{bu}/applications";
    const string App = Apps + "/{id}";
    const string Reveal = "/api/one-time-secrets/unknown-token/reveal";

    static readonly string[] OwnerRoles = [Roles.View, Roles.Create, Roles.Edit, Roles.Delete, Roles.SendSecretEmail, Roles.AuditView];

    /// <summary>A request as sent; {bu}, {id}, {secretId}, {page} (a real continuation token of {bu}) are filled in.</summary>
    public sealed record HostileRequest(string Method, string Url, HttpStatusCode Status, string? Body = null, string? ContentType = "application/json")
    {
        /// <summary>The Authorization header value; by default a token with every role in {bu}.</summary>
        public Func<HostileFixture, string?> Authorization { get; init; } = f => Bearer(TestTokens.Create(f.App.SigningKey, roles: OwnerRoles, businessUnit: HostileFixture.Owner));

        public Action<HttpRequestMessage>? Configure { get; init; }

        /// <summary>Sent in chunks, without Content-Length.</summary>
        public bool Chunked { get; init; }
    }

    static string Bearer(string token) => "Bearer " + token;

    static Func<HostileFixture, string?> Admin => f => Bearer(TestTokens.Create(f.App.SigningKey, roles: [Roles.PlatformAdmin]));

    static Func<HostileFixture, string?> Signed(Action<JsonObject> bend) => f =>
    {
        var payload = TestJwt.Payload(subject: "mallory");
        bend(payload);
        return Bearer(TestJwt.Hs256(f.App.SigningKey, payload));
    };

    /// <summary>An internal application's create body, each member given as a raw JSON fragment.</summary>
    static string CreateBody(string vendorName = "\"V\"", string applicationName = "\"A\"", string scopes = "[\"Admin\"]", string kind = "\"internal\"", string extra = "") =>
        $$"""{"kind":{{kind}},"vendorName":{{vendorName}},"applicationName":{{applicationName}},"scopes":{{scopes}}{{extra}}}""";

    static string Nested(int depth) => new string('[', depth) + "\"Admin\"" + new string(']', depth);

    static readonly Dictionary<string, HostileRequest> Cases = new()
    {
        // Malformed JSON
        ["truncated JSON"] = new("POST", Apps, HttpStatusCode.BadRequest, """{"kind":"internal","""),
        ["not JSON at all"] = new("POST", Apps, HttpStatusCode.BadRequest, "hello"),
        ["empty body"] = new("POST", Apps, HttpStatusCode.BadRequest, ""),
        ["the JSON literal null"] = new("POST", Apps, HttpStatusCode.BadRequest, "null"),
        ["an array instead of an object"] = new("POST", Apps, HttpStatusCode.BadRequest, "[]"),
        ["trailing garbage after the object"] = new("POST", Apps, HttpStatusCode.BadRequest, CreateBody() + " x"),
        ["two objects"] = new("POST", Apps, HttpStatusCode.BadRequest, CreateBody() + CreateBody()),
        ["comments"] = new("POST", Apps, HttpStatusCode.BadRequest, "/* hi */" + CreateBody()),
        ["single quotes"] = new("POST", Apps, HttpStatusCode.BadRequest, "{'kind':'internal'}"),
        ["a duplicate property"] = new("POST", Apps, HttpStatusCode.BadRequest, CreateBody(extra: ",\"kind\":\"external\"")),
        ["invalid UTF-8"] = new("POST", Apps, HttpStatusCode.BadRequest, CreateBody(vendorName: "\"\u00ff\"")) { Configure = r => r.Content = Latin1(CreateBody(vendorName: "\"\u00ff\"")) },

        // Content types
        ["text/plain"] = new("POST", Apps, HttpStatusCode.UnsupportedMediaType, CreateBody(), "text/plain"),
        ["a form"] = new("POST", Apps, HttpStatusCode.UnsupportedMediaType, "kind=internal", "application/x-www-form-urlencoded"),
        ["XML"] = new("POST", Apps, HttpStatusCode.UnsupportedMediaType, "<kind>internal</kind>", "application/xml"),
        ["no content type"] = new("POST", Apps, HttpStatusCode.UnsupportedMediaType, CreateBody(), ContentType: null),
        ["a form to the reveal API"] = new("POST", Reveal, HttpStatusCode.UnsupportedMediaType, "passphrase=x", "application/x-www-form-urlencoded"),

        // Size and depth
        ["a body over 64 KiB"] = new("POST", Apps, HttpStatusCode.RequestEntityTooLarge, CreateBody(vendorName: $"\"{new string('v', 70_000)}\"")),
        ["a chunked body over 64 KiB"] = new("POST", Apps, HttpStatusCode.RequestEntityTooLarge, CreateBody(vendorName: $"\"{new string('v', 70_000)}\"")) { Chunked = true },
        ["a body over 64 KiB with an Idempotency-Key"] = new("POST", Apps, HttpStatusCode.RequestEntityTooLarge, CreateBody(vendorName: $"\"{new string('v', 70_000)}\""))
        {
            Configure = r => r.Headers.Add("Idempotency-Key", "oversized"),
        },
        ["a chunked body over 64 KiB with an Idempotency-Key"] = new("POST", Apps, HttpStatusCode.RequestEntityTooLarge, CreateBody(vendorName: $"\"{new string('v', 70_000)}\""))
        {
            Chunked = true,
            Configure = r => r.Headers.Add("Idempotency-Key", "oversized-chunked"),
        },
        ["nesting 40 deep"] = new("POST", Apps, HttpStatusCode.BadRequest, CreateBody(scopes: Nested(40))),
        ["nesting 5000 deep"] = new("POST", Apps, HttpStatusCode.BadRequest, CreateBody(scopes: Nested(5000))),
        ["21 scopes"] = new("POST", Apps, HttpStatusCode.BadRequest, CreateBody(scopes: "[" + string.Join(',', Enumerable.Repeat("\"Admin\"", 21)) + "]")),

        // Unknown properties (no mass assignment)
        ["a client id of the caller's choosing"] = new("POST", Apps, HttpStatusCode.BadRequest, CreateBody(extra: ",\"clientId\":\"mine\"")),
        ["a client secret of the caller's choosing"] = new("POST", Apps, HttpStatusCode.BadRequest, CreateBody(extra: ",\"clientSecret\":\"0123456789012345678901234567890123456789\"")),
        ["a createdBy in a patch"] = new("PATCH", App, HttpStatusCode.BadRequest, """{"createdBy":"someone-else"}"""),
        ["an id in a patch"] = new("PATCH", App, HttpStatusCode.BadRequest, """{"id":"other"}"""),
        ["a state in a secret rotation"] = new("POST", App + "/secrets", HttpStatusCode.BadRequest, """{"state":"active"}"""),

        // Wrong types
        ["scopes as a string"] = new("POST", Apps, HttpStatusCode.BadRequest, CreateBody(scopes: "\"Admin\"")),
        ["scopes as an object"] = new("POST", Apps, HttpStatusCode.BadRequest, CreateBody(scopes: "{}")),
        ["a number as the vendor name"] = new("POST", Apps, HttpStatusCode.BadRequest, CreateBody(vendorName: "5")),
        ["enabled as a string"] = new("PATCH", App, HttpStatusCode.BadRequest, """{"enabled":"yes"}"""),
        ["expiresInDays as a string"] = new("POST", App + "/secrets", HttpStatusCode.BadRequest, """{"expiresInDays":"30"}"""),
        ["fractional expiresInDays"] = new("POST", App + "/secrets", HttpStatusCode.BadRequest, """{"expiresInDays":3.5}"""),
        ["expiresInDays beyond int"] = new("POST", App + "/secrets", HttpStatusCode.BadRequest, """{"expiresInDays":99999999999}"""),
        ["expiresInDays beyond double"] = new("POST", App + "/secrets", HttpStatusCode.BadRequest, """{"expiresInDays":1e400}"""),
        ["expiresInDays zero"] = new("POST", App + "/secrets", HttpStatusCode.BadRequest, """{"expiresInDays":0}"""),
        ["a passphrase as a number"] = new("POST", Reveal, HttpStatusCode.BadRequest, """{"passphrase":12345678}"""),

        // Null where required
        ["kind null"] = new("POST", Apps, HttpStatusCode.BadRequest, CreateBody(kind: "null")),
        ["scopes null"] = new("POST", Apps, HttpStatusCode.BadRequest, CreateBody(scopes: "null")),
        ["a null scope"] = new("POST", Apps, HttpStatusCode.BadRequest, CreateBody(scopes: "[null]")),
        ["vendor name null"] = new("POST", Apps, HttpStatusCode.BadRequest, CreateBody(vendorName: "null")),
        ["recipient null"] = new("POST", App + "/secret-emails", HttpStatusCode.BadRequest, """{"recipientEmail":null}"""),

        // Overlong strings
        ["a 101-character vendor name"] = new("POST", Apps, HttpStatusCode.BadRequest, CreateBody(vendorName: $"\"{new string('v', 101)}\"")),
        ["a 60000-character application name"] = new("POST", Apps, HttpStatusCode.BadRequest, CreateBody(applicationName: $"\"{new string('a', 60_000)}\"")),
        ["a 3000-character callback URL"] = new("POST", Apps, HttpStatusCode.BadRequest, CreateBody(extra: $",\"callbackUrls\":[\"https://x.example/{new string('p', 3000)}\"]")),
        ["a 1000-character recipient"] = new("POST", App + "/secret-emails", HttpStatusCode.BadRequest, $$"""{"recipientEmail":"{{new string('r', 990)}}@x.example"}"""),
        ["a 10000-character passphrase"] = new("POST", App + "/secret-emails", HttpStatusCode.BadRequest, $$"""{"recipientEmail":"ana@x.example","passphrase":"{{new string('p', 10_000)}}"}"""),

        // Control characters
        ["NUL in a name"] = new("POST", Apps, HttpStatusCode.BadRequest, CreateBody(vendorName: "\"a\\u0000b\"")),
        ["a newline in a name"] = new("POST", Apps, HttpStatusCode.BadRequest, CreateBody(vendorName: "\"a\\nb\"")),
        ["DEL in a name"] = new("POST", Apps, HttpStatusCode.BadRequest, CreateBody(vendorName: "\"a\\u007fb\"")),
        ["a C1 control in a name"] = new("POST", Apps, HttpStatusCode.BadRequest, CreateBody(vendorName: "\"a\\u0085b\"")),
        ["a newline in a recipient name"] = new("POST", App + "/secret-emails", HttpStatusCode.BadRequest, """{"recipientEmail":"ana@x.example","recipientName":"Ana\r\nBcc: eve@x.example"}"""),
        ["a newline in a recipient address"] = new("POST", App + "/secret-emails", HttpStatusCode.BadRequest, """{"recipientEmail":"ana@x.example\r\nBcc: eve@x.example"}"""),

        // Unicode edge cases
        ["a lone high surrogate"] = new("POST", Apps, HttpStatusCode.BadRequest, CreateBody(vendorName: "\"a\\ud800b\"")),
        ["a lone low surrogate"] = new("POST", Apps, HttpStatusCode.BadRequest, CreateBody(vendorName: "\"a\\udc00b\"")),
        ["surrogates in the wrong order"] = new("POST", Apps, HttpStatusCode.BadRequest, CreateBody(vendorName: "\"\\udc00\\ud800\"")),
        ["a right-to-left override"] = new("POST", Apps, HttpStatusCode.BadRequest, CreateBody(applicationName: "\"Invoice\\u202egpj.exe\"")),
        ["a bidi isolate"] = new("POST", Apps, HttpStatusCode.BadRequest, CreateBody(applicationName: "\"a\\u2066b\"")),
        ["a zero-width space"] = new("POST", Apps, HttpStatusCode.BadRequest, CreateBody(applicationName: "\"Pay\\u200bPal\"")),
        ["a byte order mark inside a name"] = new("POST", Apps, HttpStatusCode.BadRequest, CreateBody(applicationName: "\"a\\ufeffb\"")),
        ["a right-to-left override in a scope name"] = new("POST", "/api/scopes", HttpStatusCode.BadRequest, """{"name":"Ad\u202emin"}""") { Authorization = Admin },
        ["a right-to-left override in a scope display name"] = new("POST", "/api/scopes", HttpStatusCode.BadRequest, """{"name":"Hostile","displayName":"a\u202eb"}""") { Authorization = Admin },

        // Continuation tokens and paging
        ["a garbage continuation token"] = new("GET", Apps + "?continuationToken=!!!", HttpStatusCode.BadRequest),
        ["a base64 continuation token without a business unit"] = new("GET", Apps + "?continuationToken=AAAA", HttpStatusCode.BadRequest),
        ["a truncated continuation token"] = new("GET", Apps + "?pageSize=1&continuationToken={page-truncated}", HttpStatusCode.BadRequest),
        ["another business unit's continuation token"] = new("GET", Apps + "?pageSize=1&continuationToken={page}", HttpStatusCode.BadRequest)
        {
            Authorization = f => Bearer(TestTokens.Create(f.App.SigningKey, roles: [Roles.View], businessUnit: HostileFixture.Stranger)),
            Configure = r => r.RequestUri = new Uri(r.RequestUri!.OriginalString.Replace(HostileFixture.Owner, HostileFixture.Stranger, StringComparison.Ordinal), UriKind.Relative),
        },
        ["a continuation token with a header break"] = new("GET", Apps + "?pageSize=1&continuationToken={page-crlf}", HttpStatusCode.BadRequest),
        ["pageSize zero"] = new("GET", Apps + "?pageSize=0", HttpStatusCode.BadRequest),
        ["pageSize 201"] = new("GET", Apps + "?pageSize=201", HttpStatusCode.BadRequest),
        ["pageSize not a number"] = new("GET", Apps + "?pageSize=ten", HttpStatusCode.BadRequest),
        ["pageSize beyond int"] = new("GET", Apps + "?pageSize=99999999999", HttpStatusCode.BadRequest),

        // Ids in paths
        ["an encoded traversal as the id"] = new("GET", Apps + "/..%2F..%2Fx", HttpStatusCode.NotFound),
        ["encoded dots as the id"] = new("GET", Apps + "/%2e%2e", HttpStatusCode.NotFound),
        ["an encoded control character in the id"] = new("GET", Apps + "/a%01b", HttpStatusCode.NotFound),
        ["an encoded backslash in the id"] = new("GET", Apps + "/a%5Cb", HttpStatusCode.NotFound),
        ["an encoded hash and question mark in the id"] = new("GET", Apps + "/a%23b%3F", HttpStatusCode.NotFound),
        ["a quote (filter injection) in the id"] = new("GET", Apps + "/x'%20or%20'1'%20eq%20'1", HttpStatusCode.NotFound),
        ["a 4000-character id"] = new("GET", Apps + "/" + new string('a', 4000), HttpStatusCode.NotFound),
        ["a traversal in a deleted id"] = new("DELETE", Apps + "/..%2F..%2Fx", HttpStatusCode.NotFound),
        ["a traversal in a patched id"] = new("PATCH", Apps + "/..%2Fx", HttpStatusCode.NotFound, """{"applicationName":"Hijacked"}"""),
        ["a traversal in a secret id"] = new("DELETE", App + "/secrets/..%2F{secretId}", HttpStatusCode.NotFound),
        ["a control character in a secret id"] = new("DELETE", App + "/secrets/a%01b", HttpStatusCode.NotFound),
        ["a traversal in a delivery id"] = new("GET", App + "/secret-emails/%2e%2e%2Fx", HttpStatusCode.NotFound),
        ["a traversal in a scope"] = new("PUT", App + "/scopes/..%2FAdmin", HttpStatusCode.BadRequest),
        ["a traversal in the business unit"] = new("GET", "/api/business-units/..%2F{bu}/applications", HttpStatusCode.Forbidden),
        ["a control character in a link token"] = new("POST", "/api/one-time-secrets/a%01b/reveal", HttpStatusCode.NotFound, "{}"),

        // Tokens and claims
        ["no token"] = new("POST", Apps, HttpStatusCode.Unauthorized, CreateBody()) { Authorization = _ => null },
        ["a token signed with another key"] = new("POST", Apps, HttpStatusCode.Unauthorized, CreateBody())
        {
            Authorization = _ => Bearer(TestTokens.Create(TestTokens.NewSigningKey(), roles: OwnerRoles, businessUnit: HostileFixture.Owner)),
        },
        ["an expired token"] = new("POST", Apps, HttpStatusCode.Unauthorized, CreateBody())
        {
            Authorization = f => Bearer(TestTokens.Create(f.App.SigningKey, roles: OwnerRoles, businessUnit: HostileFixture.Owner, expires: DateTimeOffset.UtcNow.AddHours(-1))),
        },
        ["alg none"] = new("POST", Apps, HttpStatusCode.Unauthorized, CreateBody())
        {
            Authorization = _ => Bearer(CompactJwt.Sign("""{"alg":"none","typ":"JWT"}""", OwnerPayload().ToJsonString(), _ => [])),
        },
        ["alg none with the signature of a real token"] = new("POST", Apps, HttpStatusCode.Unauthorized, CreateBody())
        {
            Authorization = f => Bearer(CompactJwt.Sign("""{"alg":"none","typ":"JWT"}""", OwnerPayload().ToJsonString(), input => System.Security.Cryptography.HMACSHA256.HashData(Convert.FromBase64String(f.App.SigningKey), input))),
        },
        ["a token for another audience"] = new("POST", Apps, HttpStatusCode.Unauthorized, CreateBody())
        {
            Authorization = f => Bearer(TestTokens.Create(f.App.SigningKey, roles: OwnerRoles, businessUnit: HostileFixture.Owner, audience: "api://another-service")),
        },
        ["a garbage bearer token"] = new("POST", Apps, HttpStatusCode.Unauthorized, CreateBody()) { Authorization = _ => "Bearer not.a.token" },
        ["basic authentication"] = new("POST", Apps, HttpStatusCode.Unauthorized, CreateBody()) { Authorization = _ => "Basic YWRtaW46YWRtaW4=" },
        ["business-unit roles without a bu claim"] = new("POST", Apps, HttpStatusCode.Forbidden, CreateBody())
        {
            Authorization = f => Bearer(TestTokens.Create(f.App.SigningKey, roles: OwnerRoles)),
        },
        ["roles in the scp claim"] = new("POST", Apps, HttpStatusCode.Forbidden, CreateBody())
        {
            Authorization = Signed(p => { p["bu"] = HostileFixture.Owner; p["scp"] = string.Join(' ', OwnerRoles); }),
        },
        ["roles in the groups claim"] = new("POST", Apps, HttpStatusCode.Forbidden, CreateBody())
        {
            Authorization = Signed(p => { p["bu"] = HostileFixture.Owner; p["groups"] = new JsonArray(OwnerRoles.Select(r => (JsonNode)r).ToArray()); }),
        },
        ["two bu claims"] = new("POST", Apps, HttpStatusCode.Forbidden, CreateBody())
        {
            Authorization = Signed(p => { p["bu"] = new JsonArray(HostileFixture.Owner, HostileFixture.Stranger); p["roles"] = new JsonArray(OwnerRoles.Select(r => (JsonNode)r).ToArray()); }),
        },
        ["a role as a non-string"] = new("POST", Apps, HttpStatusCode.Forbidden, CreateBody())
        {
            Authorization = Signed(p => { p["bu"] = HostileFixture.Owner; p["roles"] = new JsonArray(new JsonObject { ["name"] = Roles.Create }); }),
        },
        ["a platform admin claim in bu"] = new("POST", "/api/scopes", HttpStatusCode.Forbidden, """{"name":"Hostile"}""")
        {
            Authorization = f => Bearer(TestTokens.Create(f.App.SigningKey, roles: OwnerRoles, businessUnit: Roles.PlatformAdmin)),
        },

        // HTTP
        ["an unknown route"] = new("GET", "/api/nothing-here", HttpStatusCode.NotFound),
        ["an unknown route asking for HTML"] = new("GET", "/api/nothing-here", HttpStatusCode.NotFound) { Configure = r => r.Headers.Accept.ParseAdd("text/html") },
        ["an unknown route asking for XML only"] = new("GET", "/nothing-here", HttpStatusCode.NotFound) { Configure = r => r.Headers.Accept.ParseAdd("application/xml") },
        ["a wrong method"] = new("PUT", "/api/scopes", HttpStatusCode.MethodNotAllowed, """{"name":"Hostile"}""") { Authorization = Admin },
        ["a wrong method on a business-unit route"] = new("DELETE", Apps, HttpStatusCode.MethodNotAllowed),
        ["a failure asking for HTML"] = new("POST", Apps, HttpStatusCode.BadRequest, "hello") { Configure = r => r.Headers.Accept.ParseAdd("text/html") },
        ["a garbage If-Match"] = new("PATCH", App, HttpStatusCode.PreconditionFailed, """{"applicationName":"Hijacked"}""") { Configure = r => r.Headers.TryAddWithoutValidation("If-Match", "\"garbage\"") },
        ["a URL over 8 KiB"] = new("GET", Apps + "?x=" + new string('x', 8 * 1024), (HttpStatusCode)414),
        ["headers over 32 KiB"] = new("GET", Apps, HttpStatusCode.RequestHeaderFieldsTooLarge)
        {
            Configure = r => { for (var i = 0; i < 5; i++) { r.Headers.Add($"X-Padding-{i}", new string('h', 7 * 1024)); } },
        },
    };

    static JsonObject OwnerPayload()
    {
        var payload = TestJwt.Payload(subject: "mallory");
        payload["bu"] = HostileFixture.Owner;
        payload["roles"] = new JsonArray(OwnerRoles.Select(r => (JsonNode)r).ToArray());
        return payload;
    }

    static ByteArrayContent Latin1(string json)
    {
        var content = new ByteArrayContent(Encoding.Latin1.GetBytes(json));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
    }

    public static TheoryData<string> CaseNames => new(Cases.Keys);

    [Theory]
    [MemberData(nameof(CaseNames))]
    public async Task A_hostile_request_gets_its_documented_problem_and_changes_nothing(string name)
    {
        var hostile = Cases[name];
        var before = await fixture.SnapshotAsync();

        using var client = fixture.App.CreateClient();
        using var request = fixture.Request(hostile);
        var response = await client.SendAsync(request);

        var problem = await response.ExpectProblemAsync(hostile.Status);
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("type").GetString()));
        Assert.True(response.Headers.Contains("X-Correlation-Id"), "Every response carries X-Correlation-Id.");
        Assert.Equal(before, await fixture.SnapshotAsync());
    }

    [Theory]
    [InlineData("/api/scopes?pageSize=abc", "pageSize")]
    [InlineData("/api/scopes?pageSize=1.5", "pageSize")]
    [InlineData("/api/scopes?pageSize=2&pageSize=3", "pageSize")]
    [InlineData("/api/business-units/owner/applications?pageSize=ten", "pageSize")]
    [InlineData("/api/business-units/owner/audit?from=yesterday", "from")]
    [InlineData("/api/business-units/owner/audit?to=2026-11-22T07:43:30+01:00", "to")]
    public async Task A_query_value_that_does_not_parse_gets_400_naming_the_parameter(string url, string parameter)
    {
        using var client = fixture.App.CreateClient(HostileFixture.Owner, OwnerRoles);

        var problem = await (await client.GetAsync(url)).ExpectProblemAsync(HttpStatusCode.BadRequest);

        Assert.False(string.IsNullOrEmpty(problem.GetProperty("detail").GetString()), problem.ToString());
        Assert.Equal([parameter], problem.GetProperty("errors").EnumerateObject().Select(e => e.Name));
    }
}
