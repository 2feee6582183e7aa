using System.Net;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using ServerlessCreds.Adapters.Tables;
using ServerlessCreds.Audit;
using ServerlessCreds.Callers;
using ServerlessCreds.Host.Tests.SecretEmails;

namespace ServerlessCreds.Host.Tests.Api;

/// <summary>
/// A caller of one business unit never reads or changes another's data, on every business-unit route, nor reaches another
/// application's secrets or deliveries through its own.
/// </summary>
public sealed class TenantIsolationTests(ServerlessCredsApplication app) : IClassFixture<ServerlessCredsApplication>
{
    static readonly string[] AllBusinessUnitRoles = [Roles.View, Roles.Create, Roles.Edit, Roles.Delete, Roles.SendSecretEmail, Roles.AuditView];

    /// <summary>Every business-unit route, with a request that would succeed for the owner. {id} is the owner's application.</summary>
    public static TheoryData<string, string, string?> BusinessUnitRoutes => new()
    {
        { "GET", "/api/business-units/{bu}/applications", null },
        { "POST", "/api/business-units/{bu}/applications", """{"kind":"internal","vendorName":"V","applicationName":"A","scopes":["Admin"]}""" },
        { "GET", "/api/business-units/{bu}/applications/{id}", null },
        { "PATCH", "/api/business-units/{bu}/applications/{id}", """{"applicationName":"Hijacked"}""" },
        { "DELETE", "/api/business-units/{bu}/applications/{id}", null },
        { "PUT", "/api/business-units/{bu}/applications/{id}/scopes/{scope}", null },
        { "DELETE", "/api/business-units/{bu}/applications/{id}/scopes/{scope}", null },
        { "GET", "/api/business-units/{bu}/applications/{id}/secrets", null },
        { "POST", "/api/business-units/{bu}/applications/{id}/secrets", """{"expiresInDays":30}""" },
        { "DELETE", "/api/business-units/{bu}/applications/{id}/secrets/{secretId}", null },
        { "POST", "/api/business-units/{bu}/applications/{id}/secret-emails", """{"recipientEmail":"ana@customer.example"}""" },
        { "GET", "/api/business-units/{bu}/applications/{id}/secret-emails/{deliveryId}", null },
        { "GET", "/api/business-units/{bu}/audit", null },
    };

    [Theory]
    [MemberData(nameof(BusinessUnitRoutes))]
    public async Task A_caller_of_another_business_unit_gets_403_and_changes_nothing(string method, string route, string? body)
    {
        var (owner, application, secret, delivery) = await OwnedApplicationAsync();
        var stranger = $"bu{Guid.NewGuid():N}"[..20];
        using var client = app.CreateClient(stranger, AllBusinessUnitRoles);
        var before = await FootprintAsync();

        var response = await client.SendAsync(Request(method, Fill(route, owner, application, secret, delivery), body));

        await response.ExpectProblemAsync(HttpStatusCode.Forbidden);
        await AssertUnchangedAsync(owner, application, before);
    }

    public static TheoryData<string, string, string?> ApplicationRoutes
    {
        get
        {
            var rows = new TheoryData<string, string, string?>();
            foreach (var row in BusinessUnitRoutes.Where(row => ((string)row[1]).Contains("{id}", StringComparison.Ordinal)))
            {
                rows.Add((string)row[0], (string)row[1], (string?)row[2]);
            }

            return rows;
        }
    }

    [Theory]
    [MemberData(nameof(ApplicationRoutes))]
    public async Task An_application_id_from_another_business_unit_is_not_found_in_the_callers_own(string method, string route, string? body)
    {
        var (owner, application, secret, delivery) = await OwnedApplicationAsync();
        var stranger = $"bu{Guid.NewGuid():N}"[..20];
        using var client = app.CreateClient(stranger, AllBusinessUnitRoles);
        var before = await FootprintAsync();

        var response = await client.SendAsync(Request(method, Fill(route, stranger, application, secret, delivery), body));

        await response.ExpectProblemAsync(HttpStatusCode.NotFound);
        await AssertUnchangedAsync(owner, application, before);
    }

    [Theory]
    [MemberData(nameof(BusinessUnitRoutes))]
    public async Task Without_a_token_every_route_answers_401(string method, string route, string? body)
    {
        var (owner, application, secret, delivery) = await OwnedApplicationAsync();
        using var client = app.CreateClient();
        var before = await FootprintAsync();

        var response = await client.SendAsync(Request(method, Fill(route, owner, application, secret, delivery), body));

        await response.ExpectProblemAsync(HttpStatusCode.Unauthorized);
        await AssertUnchangedAsync(owner, application, before);
    }

    public static TheoryData<string, string> MutatingRoutes
    {
        get
        {
            var rows = new TheoryData<string, string>();
            foreach (var row in BusinessUnitRoutes.Where(row => (string)row[0] != "GET"))
            {
                rows.Add((string)row[0], (string)row[1]);
            }

            return rows;
        }
    }

    /// <summary>Bodies that would fail binding or validation: the refusal must come first and name no field.</summary>
    static readonly (string Body, string ContentType)[] BadBodies =
    [
        ("""{"unknownMember":1,"kind":5,"enabled":"yes","expiresInDays":"x"}""", "application/json"),
        ("{bad", "application/json"),
        ("hello", "text/plain"),
    ];

    [Theory]
    [MemberData(nameof(MutatingRoutes))]
    public async Task A_caller_without_the_right_business_unit_or_role_gets_403_and_no_caller_401_whatever_the_body(string method, string route)
    {
        var (owner, application, secret, delivery) = await OwnedApplicationAsync();
        using var stranger = app.CreateClient($"bu{Guid.NewGuid():N}"[..20], AllBusinessUnitRoles);
        using var viewer = app.CreateClient(owner, Roles.View);
        using var anonymous = app.CreateClient();
        var before = await FootprintAsync();

        foreach (var (client, status) in new[] { (stranger, HttpStatusCode.Forbidden), (viewer, HttpStatusCode.Forbidden), (anonymous, HttpStatusCode.Unauthorized) })
        {
            foreach (var (body, contentType) in BadBodies)
            {
                var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), Fill(route, owner, application, secret, delivery))
                {
                    Content = new StringContent(body, System.Text.Encoding.UTF8, contentType),
                });

                var problem = await response.ExpectProblemAsync(status);
                Assert.False(problem.TryGetProperty("errors", out _), problem.ToString());
                Assert.DoesNotContain("unknownMember", problem.ToString(), StringComparison.Ordinal);
            }
        }

        await AssertUnchangedAsync(owner, application, before);
    }

    [Theory]
    [InlineData("/api/scopes")]
    [InlineData("/api/external-applications")]
    public async Task A_caller_who_is_not_a_platform_admin_gets_403_on_the_catalogs_whatever_the_body(string route)
    {
        await app.ReadyAsync();
        using var businessUnitCaller = app.CreateClient($"bu{Guid.NewGuid():N}"[..20], AllBusinessUnitRoles);
        using var manager = app.CreateClient(null, Roles.PlatformAccountManager);

        foreach (var client in new[] { businessUnitCaller, manager })
        {
            foreach (var (body, contentType) in BadBodies.Append(("""{"name":1,"vendorName":2}""", "application/json")))
            {
                var response = await client.PostAsync(route, new StringContent(body, System.Text.Encoding.UTF8, contentType));

                var problem = await response.ExpectProblemAsync(HttpStatusCode.Forbidden);
                Assert.False(problem.TryGetProperty("errors", out _), problem.ToString());
            }
        }
    }

    [Theory]
    [InlineData("GET", "bad%20bu")]
    [InlineData("GET", "contoso%0A")]
    [InlineData("POST", "contoso%0A")]
    public async Task A_malformed_business_unit_is_not_found_even_for_a_platform_admin(string method, string businessUnit)
    {
        await app.ReadyAsync();
        using var admin = app.CreateClient(null, Roles.PlatformAdmin);
        var before = await FootprintAsync();

        var response = await admin.SendAsync(Request(method, $"/api/business-units/{businessUnit}/applications", method == "GET"
            ? null
            : """{"kind":"internal","vendorName":"V","applicationName":"A","scopes":["Admin"]}"""));

        var problem = await response.ExpectProblemAsync(HttpStatusCode.NotFound);
        Assert.Equal("No such business unit.", problem.GetProperty("detail").GetString());
        Assert.Equal(before, await FootprintAsync());
    }

    [Fact]
    public async Task The_route_table_above_covers_every_business_unit_route()
    {
        await app.ReadyAsync();
        var routes = app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText!.Contains("{bu}", StringComparison.Ordinal))
            .SelectMany(e => e.Metadata.GetMetadata<HttpMethodMetadata>()!.HttpMethods.Select(m => $"{m} /{e.RoutePattern.RawText!.Trim('/')}"))
            .Order()
            .ToList();

        var tested = BusinessUnitRoutes.Select(row => $"{row[0]} {row[1]}").Order().ToList();

        Assert.Equal(routes, tested);
    }

    [Theory]
    [MemberData(nameof(BusinessUnitRoutes))]
    public async Task A_bu_claim_naming_the_platform_log_opens_no_business_unit_route_of_that_name(string method, string route, string? body)
    {
        var (owner, application, secret, delivery) = await OwnedApplicationAsync();
        using var client = app.CreateClient(AuditTrail.PlatformLog, AllBusinessUnitRoles);
        var before = await FootprintAsync();

        var response = await client.SendAsync(Request(method, Fill(route, AuditTrail.PlatformLog, application, secret, delivery), body));

        // No business unit can be called "_platform" (ids start with a letter or digit), and its log is for platform admins alone.
        await response.ExpectProblemAsync(route.EndsWith("/audit", StringComparison.Ordinal) ? HttpStatusCode.Forbidden : HttpStatusCode.NotFound);
        await AssertUnchangedAsync(owner, application, before);
    }

    [Fact]
    public async Task A_bu_claim_naming_the_platform_log_neither_reads_it_nor_changes_the_catalogs()
    {
        await app.ReadyAsync();
        using var platformAdmin = app.CreateClient(null, Roles.PlatformAdmin);
        var logged = $"Logged{Guid.NewGuid():N}"[..20];
        await (await platformAdmin.PostJsonAsync("/api/scopes", new { name = logged })).ExpectAsync(HttpStatusCode.Created);
        using var client = app.CreateClient(AuditTrail.PlatformLog, AllBusinessUnitRoles);
        var before = await FootprintAsync();
        var hijack = $"Hijack{Guid.NewGuid():N}"[..20];

        await (await client.GetAsync($"/api/business-units/{AuditTrail.PlatformLog}/audit")).ExpectProblemAsync(HttpStatusCode.Forbidden);
        await (await client.PostJsonAsync("/api/scopes", new { name = hijack })).ExpectProblemAsync(HttpStatusCode.Forbidden);
        await (await client.PostJsonAsync("/api/external-applications", new { vendorName = "Vendor", applicationName = hijack, scopes = new[] { "Admin" } }))
            .ExpectProblemAsync(HttpStatusCode.Forbidden);

        Assert.Equal(before, await FootprintAsync());
        // The log the caller was refused does hold an entry to read.
        var platformLog = (await platformAdmin.ReadPagesAsync($"/api/business-units/{AuditTrail.PlatformLog}/audit", 200)).SelectMany(page => page);
        Assert.Contains(platformLog, e => e.GetProperty("action").GetString() == "scope.created" && e.GetProperty("targetId").GetString() == logged);
        var scopes = (await platformAdmin.ReadPagesAsync("/api/scopes", 200)).SelectMany(page => page).Select(s => s.GetProperty("name").GetString()).ToList();
        Assert.Contains(logged, scopes);
        Assert.DoesNotContain(hijack, scopes);
        var externals = await platformAdmin.ReadPagesAsync("/api/external-applications", 200);
        Assert.DoesNotContain(externals.SelectMany(page => page), e => e.GetProperty("applicationName").GetString() == hijack);
    }

    [Fact]
    public async Task Account_managers_may_view_any_business_unit_but_not_change_it()
    {
        var (owner, application, _, _) = await OwnedApplicationAsync();
        using var manager = app.CreateClient(null, Roles.PlatformAccountManager);
        var before = await FootprintAsync();

        await (await manager.GetAsync($"/api/business-units/{owner}/applications/{application}")).ExpectAsync(HttpStatusCode.OK);
        await (await manager.DeleteAsync($"/api/business-units/{owner}/applications/{application}")).ExpectProblemAsync(HttpStatusCode.Forbidden);
        await AssertUnchangedAsync(owner, application, before);
    }

    [Fact]
    public async Task A_caller_of_the_right_business_unit_without_the_role_gets_403()
    {
        var (owner, application, _, _) = await OwnedApplicationAsync();
        using var viewer = app.CreateClient(owner, Roles.View);
        var before = await FootprintAsync();

        await (await viewer.DeleteAsync($"/api/business-units/{owner}/applications/{application}")).ExpectProblemAsync(HttpStatusCode.Forbidden);
        await AssertUnchangedAsync(owner, application, before);
    }

    [Theory]
    [InlineData("DELETE", "/api/business-units/{bu}/applications/{id}/secrets/{secretId}", false)]
    [InlineData("DELETE", "/api/business-units/{bu}/applications/{id}/secrets/{secretId}", true)]
    [InlineData("GET", "/api/business-units/{bu}/applications/{id}/secret-emails/{deliveryId}", false)]
    [InlineData("GET", "/api/business-units/{bu}/applications/{id}/secret-emails/{deliveryId}", true)]
    public async Task Another_applications_secret_or_delivery_is_not_found_under_the_callers_own_application(string method, string route, bool sameBusinessUnit)
    {
        var (owner, application, secret, delivery) = await OwnedApplicationAsync();
        var (caller, own, _, _) = await OwnedApplicationAsync(sameBusinessUnit ? owner : null);
        using var client = app.CreateClient(caller, AllBusinessUnitRoles);
        var before = await FootprintAsync();

        var response = await client.SendAsync(Request(method, Fill(route, caller, own, secret, delivery), null));

        await response.ExpectProblemAsync(HttpStatusCode.NotFound);
        await AssertUnchangedAsync(owner, application, before);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_secret_email_for_the_callers_own_application_naming_another_applications_secret_is_refused_and_sends_nothing(bool sameBusinessUnit)
    {
        var (owner, application, secret, _) = await OwnedApplicationAsync();
        var (caller, own, _, _) = await OwnedApplicationAsync(sameBusinessUnit ? owner : null);
        using var client = app.CreateClient(caller, AllBusinessUnitRoles);
        var before = await FootprintAsync();

        var response = await client.PostJsonAsync($"/api/business-units/{caller}/applications/{own}/secret-emails", new { recipientEmail = "ana@customer.example", secretId = secret });

        var problem = await response.ExpectProblemAsync(HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("secretId", out _), problem.ToString());
        await AssertUnchangedAsync(owner, application, before);
    }

    /// <summary>An application with a secret and a sent secret email, in a new business unit unless one is given.</summary>
    async Task<(string BusinessUnit, string ApplicationId, string SecretId, string DeliveryId)> OwnedApplicationAsync(string? businessUnit = null)
    {
        await app.ReadyAsync();
        var owner = businessUnit ?? $"bu{Guid.NewGuid():N}"[..20];
        using var client = app.CreateClient(owner, Roles.Create, Roles.SendSecretEmail, Roles.View);
        var created = await (await client.PostJsonAsync($"/api/business-units/{owner}/applications", new
        {
            kind = "internal", vendorName = "Owner", applicationName = "Original", scopes = new[] { "Admin", "Agent" },
        })).ExpectAsync(HttpStatusCode.Created);
        var id = created.GetProperty("id").GetString()!;
        var delivery = await client.PostJsonAsync($"/api/business-units/{owner}/applications/{id}/secret-emails", new { recipientEmail = "owner@customer.example" });
        await delivery.ExpectAsync(HttpStatusCode.Accepted);
        // Sent before the test goes on, so the footprint it takes next holds still.
        await SecretEmailFlow.WaitForStatusAsync(client, delivery.Headers.Location!.OriginalString, "sent");
        return (owner, id, created.GetProperty("secretId").GetString()!, delivery.Headers.Location!.OriginalString.Split('/')[^1]);
    }

    /// <summary>
    /// Every application, client id, delivery, link and audit row of every business unit, each with its ETag, and how many
    /// sends the email service has seen. A refused call must leave all of it as it was. No email can go out later without a
    /// delivery row to send, so comparing right after the call also rules out a send still in the queue. The catalogs are
    /// left out: the host seeds them in the background.
    /// </summary>
    async Task<IReadOnlyList<string>> FootprintAsync()
    {
        var tables = app.Services.GetRequiredService<StorageTables>();
        var footprint = new List<string>();
        foreach (var table in new[] { tables.Applications, tables.ClientIds, tables.Deliveries, tables.SecretLinks, tables.Audit })
        {
            footprint.AddRange((await table.ReadAllAsync()).Select(row => $"{table.Name} {row.PartitionKey}/{row.RowKey} {row.ETag}"));
        }

        footprint.Add($"{app.Email.SendAttempts.Count} email sends");
        return footprint;
    }

    async Task AssertUnchangedAsync(string owner, string application, IReadOnlyList<string> footprint)
    {
        Assert.Equal(footprint, await FootprintAsync());
        using var client = app.CreateClient(owner, Roles.View);
        var read = await (await client.GetAsync($"/api/business-units/{owner}/applications/{application}")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("Original", read.GetProperty("applicationName").GetString());
        Assert.Equal(["Admin", "Agent"], read.GetProperty("scopes").Strings());
        var secrets = await (await client.GetAsync($"/api/business-units/{owner}/applications/{application}/secrets")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("active", Assert.Single(secrets.GetProperty("items").EnumerateArray()).GetProperty("state").GetString());
        Assert.All(app.Vault.Secrets.Where(s => s.Tags.GetValueOrDefault("applicationId") == application), s => Assert.True(s.Enabled));
    }

    static string Fill(string route, string businessUnit, string application, string secret, string delivery) =>
        route.Replace("{bu}", businessUnit, StringComparison.Ordinal).Replace("{id}", application, StringComparison.Ordinal)
            .Replace("{scope}", "Agent", StringComparison.Ordinal).Replace("{secretId}", secret, StringComparison.Ordinal)
            .Replace("{deliveryId}", delivery, StringComparison.Ordinal);

    static HttpRequestMessage Request(string method, string url, string? body) =>
        new(new HttpMethod(method), url)
        {
            Content = body is null ? null : new StringContent(body, System.Text.Encoding.UTF8, "application/json"),
        };
}
