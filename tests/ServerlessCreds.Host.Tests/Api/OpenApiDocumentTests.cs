using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace ServerlessCreds.Host.Tests.Api;

/// <summary>The served OpenAPI document against what the service does: its statuses, schemas, security and headers.</summary>
public sealed class OpenApiDocumentTests(ServerlessCredsApplication app) : IClassFixture<ServerlessCredsApplication>
{
    static readonly string[] AnonymousOperations = ["GetHealth", "ShowSecretLink", "RevealSecretLink", "RevealSecret"];

    /// <summary>What each operation answers besides success, by the code paths around it (body reading, storage, rate limits, filters).</summary>
    static readonly Dictionary<string, int[]> Statuses = new()
    {
        ["GetHealth"] = [200, 503],
        ["ShowSecretLink"] = [200, 404, 410, 429, 503],
        ["RevealSecretLink"] = [200, 400, 403, 404, 410, 413, 429, 503],
        ["RevealSecret"] = [200, 400, 403, 404, 410, 413, 415, 429, 503],
        ["ListScopes"] = [200, 400, 401, 503],
        ["CreateScope"] = [201, 400, 401, 403, 409, 413, 415, 422, 503],
        ["ListExternalApplications"] = [200, 400, 401, 503],
        ["CreateExternalApplication"] = [201, 400, 401, 403, 409, 413, 415, 422, 503],
        ["ListApplications"] = [200, 400, 401, 403, 404, 503],
        ["CreateApplication"] = [201, 400, 401, 403, 404, 409, 413, 415, 422, 503],
        ["GetApplication"] = [200, 401, 403, 404, 503],
        ["UpdateApplication"] = [200, 400, 401, 403, 404, 412, 413, 415, 503],
        ["DeleteApplication"] = [204, 401, 403, 404, 409, 503],
        ["AddApplicationScope"] = [200, 400, 401, 403, 404, 412, 503],
        ["RemoveApplicationScope"] = [200, 400, 401, 403, 404, 412, 503],
        ["ListSecrets"] = [200, 400, 401, 403, 404, 503],
        ["CreateSecret"] = [201, 400, 401, 403, 404, 409, 413, 415, 422, 503],
        ["RevokeSecret"] = [204, 401, 403, 404, 503],
        ["RequestSecretEmail"] = [202, 400, 401, 403, 404, 409, 413, 415, 422, 503],
        ["GetSecretEmail"] = [200, 401, 403, 404, 503],
        ["ListAuditEntries"] = [200, 400, 401, 403, 404, 503],
        ["ListPlatformAuditEntries"] = [200, 400, 401, 403, 503],
    };

    [Fact]
    public async Task Every_operation_documents_each_status_it_answers_and_problems_as_problem_json()
    {
        var document = await DocumentAsync();

        var operations = Operations(document);
        Assert.Equal(Statuses.Keys.Order(), operations.Keys.Order());
        foreach (var (id, operation) in operations)
        {
            var documented = DocumentedStatuses(operation);
            var missing = Statuses[id].Except(documented).ToList();
            Assert.True(missing.Count == 0, $"{id} does not document {string.Join(", ", missing)}");
            foreach (var status in documented.Where(s => s >= 400))
            {
                var response = operation.GetProperty("responses").GetProperty($"{status}");
                Assert.True(response.TryGetProperty("content", out var content), $"{id} {status} has no body: {response}");
                Assert.True(content.TryGetProperty("application/problem+json", out _) || content.TryGetProperty("text/html", out _)
                    || (id, status) == ("GetHealth", 503), $"{id} {status} is neither a problem nor a page: {content}");
            }
        }
    }

    [Fact]
    public async Task Statuses_and_headers_of_real_answers_are_the_documented_ones()
    {
        var document = await DocumentAsync();
        var operations = Operations(document);
        var bu = $"bu{Guid.NewGuid():N}"[..20];
        using var admin = app.CreateClient(null, "Platform.Admin");
        using var viewer = app.CreateClient(bu, "ApiApplications.View");
        using var anonymous = app.CreateClient();
        var applications = $"/api/business-units/{bu}/applications";
        var observed = new List<(string Operation, HttpResponseMessage Response)>();

        async Task<HttpResponseMessage> Observe(string operation, Task<HttpResponseMessage> request)
        {
            var response = await request;
            observed.Add((operation, response));
            return response;
        }

        await Observe("GetHealth", anonymous.GetAsync("/api/health"));
        await Observe("ListScopes", anonymous.GetAsync("/api/scopes"));
        await Observe("ListScopes", admin.GetAsync("/api/scopes?pageSize=0"));
        await Observe("CreateScope", admin.PostJsonAsync("/api/scopes", new { name = "Admin" }));
        await Observe("CreateScope", admin.PostAsync("/api/scopes", new StringContent("{}", Encoding.UTF8, "text/plain")));
        await Observe("CreateScope", admin.PostJsonAsync("/api/scopes", $$"""{"name":"{{new string('a', 70_000)}}"}"""));
        await Observe("CreateScope", admin.PostJsonAsync("/api/scopes", new { name = $"oa{Guid.NewGuid():N}"[..20] }));
        var catalogEntry = await (await Observe("CreateExternalApplication", admin.PostJsonAsync("/api/external-applications", new
        {
            vendorName = "Acme", applicationName = "CRM plug-in", scopes = new[] { "Agent" },
        }))).ExpectAsync(HttpStatusCode.Created);
        await Observe("ListExternalApplications", admin.GetAsync("/api/external-applications"));

        await Observe("CreateApplication", viewer.PostJsonAsync(applications, new { kind = "internal" }));
        var created = await (await Observe("CreateApplication", admin.PostJsonAsync(applications, new
        {
            kind = "internal", vendorName = "Contoso", applicationName = "Portal", scopes = new[] { "Admin" },
        }))).ExpectAsync(HttpStatusCode.Created);
        var application = $"{applications}/{created.GetProperty("id").GetString()}";
        await Observe("ListApplications", viewer.GetAsync($"{applications}?pageSize=201"));
        await Observe("ListApplications", admin.GetAsync("/api/business-units/bad%20bu/applications"));
        await Observe("GetApplication", viewer.GetAsync(application));
        await Observe("GetApplication", viewer.GetAsync($"{applications}/nope"));
        await Observe("UpdateApplication", admin.SendAsync(Patch(application, """{"enabled":false}""", ifMatch: "\"bogus\"")));
        await Observe("UpdateApplication", admin.SendAsync(Patch(application, """{"colour":"red"}""")));
        await Observe("UpdateApplication", admin.SendAsync(Patch(application, """{"enabled":true}""")));
        await Observe("AddApplicationScope", admin.PutAsync($"{application}/scopes/NoSuchScope", null));
        await Observe("AddApplicationScope", admin.PutAsync($"{application}/scopes/Reporting", null));
        await Observe("RemoveApplicationScope", admin.DeleteAsync($"{application}/scopes/Reporting"));
        await Observe("RemoveApplicationScope", admin.DeleteAsync($"{application}/scopes/Admin"));

        var external = await (await Observe("CreateApplication", admin.PostJsonAsync(applications, new
        {
            kind = "external", externalApplicationId = catalogEntry.GetProperty("id").GetString(),
        }))).ExpectAsync(HttpStatusCode.Created);
        var catalogOwned = await (await Observe("UpdateApplication", admin.SendAsync(Patch($"{applications}/{external.GetProperty("id").GetString()}", """{"applicationName":"Mine"}"""))))
            .ExpectProblemAsync(HttpStatusCode.BadRequest);
        Assert.True(catalogOwned.GetProperty("errors").TryGetProperty("applicationName", out _), catalogOwned.ToString());

        await Observe("CreateSecret", admin.PostJsonAsync($"{application}/secrets", new { expiresInDays = 0 }));
        await Observe("CreateSecret", admin.PostAsync($"{application}/secrets", null));
        await Observe("CreateSecret", admin.PostAsync($"{application}/secrets", null));
        await Observe("ListSecrets", viewer.GetAsync($"{application}/secrets"));
        await Observe("RevokeSecret", admin.DeleteAsync($"{application}/secrets/nope"));

        var queued = await Observe("RequestSecretEmail", admin.PostJsonAsync($"{application}/secret-emails", new { recipientEmail = "reader@customer.example" }));
        await Observe("RequestSecretEmail", admin.PostJsonAsync($"{application}/secret-emails", new { recipientEmail = "not an address" }));
        await Observe("GetSecretEmail", viewer.GetAsync(queued.Headers.Location!.OriginalString));
        await Observe("GetSecretEmail", viewer.GetAsync($"{application}/secret-emails/nope"));
        await Observe("ListAuditEntries", viewer.GetAsync($"/api/business-units/{bu}/audit"));
        await Observe("ListPlatformAuditEntries", viewer.GetAsync("/api/business-units/_platform/audit"));
        await Observe("ShowSecretLink", anonymous.GetAsync("/s/unknown-token"));
        // The form's description does not narrow what the page accepts: a body of another type reads as no passphrase.
        Assert.Equal(HttpStatusCode.NotFound, (await Observe("RevealSecretLink", anonymous.PostAsync("/s/unknown-token", new StringContent("x", Encoding.UTF8, "text/plain")))).StatusCode);
        await Observe("RevealSecret", anonymous.PostJsonAsync("/api/one-time-secrets/unknown-token/reveal", new { passphrase = "whatever it is" }));
        await Observe("RevealSecret", anonymous.PostJsonAsync("/api/one-time-secrets/unknown-token/reveal", "{bad"));

        var seen = observed.Select(o => (o.Operation, (int)o.Response.StatusCode)).ToHashSet();
        foreach (var expected in new[] { 400, 401, 403, 404, 409, 412, 413, 415 })
        {
            Assert.Contains(seen, s => s.Item2 == expected);
        }

        foreach (var (id, response) in observed)
        {
            var status = (int)response.StatusCode;
            Assert.True(DocumentedStatuses(operations[id]).Contains(status), $"{id} answered {status}, which its document does not list");
            var headers = DocumentedHeaders(operations[id], status);
            foreach (var name in new[] { "ETag", "Location", "X-Correlation-Id" })
            {
                var sent = response.Headers.NonValidated.Contains(name) || response.Content.Headers.NonValidated.Contains(name);
                Assert.True(sent == headers.Contains(name), $"{id} {status}: {name} {(sent ? "sent but not documented" : "documented but not sent")}");
            }
        }
    }

    [Fact]
    public async Task Optional_request_members_are_optional_and_members_omitted_when_null_are_not_required()
    {
        var document = await DocumentAsync();
        var schemas = document.GetProperty("components").GetProperty("schemas");

        Assert.Equal(["name"], Required(schemas, "CreateScopeRequest"));
        Assert.Equal(["kind"], Required(schemas, "CreateApplicationRequest"));
        Assert.Equal(["vendorName", "applicationName", "scopes"], Required(schemas, "CreateExternalApplicationRequest"));
        Assert.Empty(Required(schemas, "UpdateApplicationRequest"));
        Assert.Empty(Required(schemas, "CreateSecretRequest"));
        Assert.Equal(["recipientEmail"], Required(schemas, "SecretEmailRequestBody"));
        Assert.Empty(Required(schemas, "RevealSecretRequest"));
        Assert.Equal(["deliveryId", "recipientEmail", "status", "createdAt", "createdBy", "expiresAt"], Required(schemas, "DeliveryResponse"));
        var form = Operations(document)["RevealSecretLink"].GetProperty("requestBody");
        Assert.False(form.TryGetProperty("required", out var formRequired) && formRequired.GetBoolean());
        var formSchema = form.GetProperty("content").GetProperty("application/x-www-form-urlencoded").GetProperty("schema");
        if (formSchema.TryGetProperty("$ref", out var reference))
        {
            formSchema = schemas.GetProperty(reference.GetString()!.Split('/')[^1]);
        }

        Assert.True(formSchema.GetProperty("properties").TryGetProperty("passphrase", out _), formSchema.ToString());
        Assert.False(formSchema.TryGetProperty("required", out _), formSchema.ToString());
    }

    [Fact]
    public async Task Real_responses_carry_every_member_their_schema_requires_and_no_other()
    {
        var document = await DocumentAsync();
        var schemas = document.GetProperty("components").GetProperty("schemas");
        var bu = $"bu{Guid.NewGuid():N}"[..20];
        using var client = app.CreateClient(bu, "ApiApplications.View", "ApiApplications.Create", "ApiApplications.SendSecretEmail");
        var applications = $"/api/business-units/{bu}/applications";

        var created = await (await client.PostJsonAsync(applications, new { kind = "internal", vendorName = "V", applicationName = "A", scopes = new[] { "Admin" } }))
            .ExpectAsync(HttpStatusCode.Created);
        var application = $"{applications}/{created.GetProperty("id").GetString()}";
        var queued = await client.PostJsonAsync($"{application}/secret-emails", new { recipientEmail = "reader@customer.example" });
        // No one has opened the link yet: the delivery has no viewedAt, whether or not it was sent by now.
        var delivery = await (await client.GetAsync(queued.Headers.Location!.OriginalString)).ExpectAsync(HttpStatusCode.OK);
        Assert.False(delivery.TryGetProperty("viewedAt", out _));
        var problem = await (await client.PostJsonAsync(applications, new { kind = "internal", vendorName = "" })).ExpectProblemAsync(HttpStatusCode.BadRequest);

        AssertMatches(schemas, "DeliveryResponse", delivery);
        AssertMatches(schemas, "QueuedDeliveryResponse", await queued.ReadJsonAsync());
        using var editor = app.CreateClient(bu, "ApiApplications.Edit");
        AssertMatches(schemas, "CreatedSecretResponse", await (await editor.PostAsync($"{application}/secrets", null)).ExpectAsync(HttpStatusCode.Created));
        AssertMatches(schemas, "CreatedApplicationResponse", created);
        AssertMatches(schemas, "HttpValidationProblemDetails", problem);
        AssertMatches(schemas, "ProblemDetails", await (await client.GetAsync($"{applications}/nope")).ExpectProblemAsync(HttpStatusCode.NotFound));
    }

    [Fact]
    public async Task Problem_schemas_describe_trace_id_and_validation_errors_and_allow_extensions()
    {
        var schemas = (await DocumentAsync()).GetProperty("components").GetProperty("schemas");

        foreach (var name in new[] { "ProblemDetails", "HttpValidationProblemDetails" })
        {
            Assert.True(schemas.GetProperty(name).GetProperty("properties").TryGetProperty("traceId", out _), $"{name} has no traceId");
            Assert.False(schemas.GetProperty(name).TryGetProperty("additionalProperties", out var additional) && additional.ValueKind == JsonValueKind.False,
                $"{name} forbids extension members");
        }

        Assert.Equal("array", schemas.GetProperty("HttpValidationProblemDetails").GetProperty("properties").GetProperty("errors")
            .GetProperty("additionalProperties").GetProperty("type").GetString());
    }

    [Fact]
    public async Task Bearer_security_is_required_on_authenticated_operations_and_absent_on_anonymous_ones()
    {
        var document = await DocumentAsync();

        var scheme = document.GetProperty("components").GetProperty("securitySchemes").GetProperty("Bearer");
        Assert.Equal("http", scheme.GetProperty("type").GetString());
        Assert.Equal("bearer", scheme.GetProperty("scheme").GetString());
        foreach (var (id, operation) in Operations(document))
        {
            var secured = operation.TryGetProperty("security", out var security)
                && security.EnumerateArray().Any(requirement => requirement.TryGetProperty("Bearer", out _));
            Assert.True(secured != AnonymousOperations.Contains(id), $"{id}: security {(secured ? "present" : "absent")}");
            Assert.True(secured == DocumentedStatuses(operation).Contains(401), $"{id}: 401 and security disagree");
        }

        // As documented: an authenticated operation refuses a request without a token, an anonymous one serves it.
        using var anonymous = app.CreateClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/external-applications")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/api/health")).StatusCode);
    }

    [Fact]
    public async Task If_match_and_idempotency_key_are_documented_on_exactly_the_operations_that_honour_them()
    {
        var document = await DocumentAsync();

        foreach (var (id, operation) in Operations(document))
        {
            var headers = operation.GetProperty("parameters").EnumerateArray()
                .Where(p => p.GetProperty("in").GetString() == "header").Select(p => p.GetProperty("name").GetString()).ToList();
            Assert.Contains("X-Correlation-Id", headers);
            Assert.True(headers.Contains("If-Match") == (id == "UpdateApplication"), $"{id}: If-Match");
            var idempotent = id is "CreateScope" or "CreateExternalApplication" or "CreateApplication" or "CreateSecret" or "RequestSecretEmail";
            Assert.True(headers.Contains("Idempotency-Key") == idempotent, $"{id}: Idempotency-Key");
        }

        // A replay carries the header the document announces on the success.
        var bu = $"bu{Guid.NewGuid():N}"[..20];
        using var client = app.CreateClient(bu, "ApiApplications.Create");
        client.DefaultRequestHeaders.Add("Idempotency-Key", "openapi-replay");
        var body = new { kind = "internal", vendorName = "V", applicationName = "A", scopes = new[] { "Admin" } };
        await (await client.PostJsonAsync($"/api/business-units/{bu}/applications", body)).ExpectAsync(HttpStatusCode.Created);
        var replay = await client.PostJsonAsync($"/api/business-units/{bu}/applications", body);
        Assert.Equal("true", Assert.Single(replay.Headers.GetValues("Idempotent-Replayed")));
        Assert.Contains("Idempotent-Replayed", DocumentedHeaders(Operations(document)["CreateApplication"], 201));
    }

    [Fact]
    public async Task Product_rules_the_contract_leaves_open_are_described()
    {
        var operations = Operations(await DocumentAsync());

        Assert.Contains("external-application catalog", operations["UpdateApplication"].GetProperty("description").GetString(), StringComparison.Ordinal);
        Assert.Contains("409 when the application has no active", operations["RequestSecretEmail"].GetProperty("description").GetString(), StringComparison.Ordinal);
        Assert.Contains("burns the link", operations["RevealSecret"].GetProperty("description").GetString(), StringComparison.Ordinal);
        foreach (var id in new[] { "ShowSecretLink", "RevealSecretLink", "RevealSecret" })
        {
            // The fixture's configured limits, not the defaults: the description reads the options the limiter runs with.
            Assert.Contains("10000 requests per client", operations[id].GetProperty("description").GetString(), StringComparison.Ordinal);
            Assert.Contains("Retry-After", DocumentedHeaders(operations[id], 429));
        }
    }

    async Task<JsonElement> DocumentAsync()
    {
        await app.ReadyAsync();
        using var client = app.CreateClient();
        return await (await client.GetAsync("/api/openapi.json")).ExpectAsync(HttpStatusCode.OK);
    }

    static Dictionary<string, JsonElement> Operations(JsonElement document) =>
        document.GetProperty("paths").EnumerateObject()
            .SelectMany(path => path.Value.EnumerateObject().Where(o => o.Value.TryGetProperty("operationId", out _)))
            .ToDictionary(o => o.Value.GetProperty("operationId").GetString()!, o => o.Value);

    static List<int> DocumentedStatuses(JsonElement operation) =>
        operation.GetProperty("responses").EnumerateObject().Select(r => int.Parse(r.Name, System.Globalization.CultureInfo.InvariantCulture)).ToList();

    static List<string> DocumentedHeaders(JsonElement operation, int status) =>
        operation.GetProperty("responses").GetProperty($"{status}").TryGetProperty("headers", out var headers)
            ? headers.EnumerateObject().Select(h => h.Name).ToList()
            : [];

    static List<string> Required(JsonElement schemas, string name) =>
        schemas.GetProperty(name).TryGetProperty("required", out var required) ? [.. required.Strings()] : [];

    static void AssertMatches(JsonElement schemas, string name, JsonElement body)
    {
        var members = body.EnumerateObject().Select(m => m.Name).ToList();
        var missing = Required(schemas, name).Except(members).ToList();
        Assert.True(missing.Count == 0, $"{name} requires {string.Join(", ", missing)}, absent from {body}");
        var known = schemas.GetProperty(name).GetProperty("properties").EnumerateObject().Select(p => p.Name).ToList();
        var unknown = members.Except(known).ToList();
        Assert.True(unknown.Count == 0, $"{name} does not describe {string.Join(", ", unknown)} in {body}");
    }

    static HttpRequestMessage Patch(string url, string json, string? ifMatch = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Patch, url) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        if (ifMatch is not null)
        {
            request.Headers.IfMatch.Add(EntityTagHeaderValue.Parse(ifMatch));
        }

        return request;
    }
}
