using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using ServerlessCreds.Adapters.Tables;
using ServerlessCreds.Callers;
using ServerlessCreds.Host.Tests.Api;
using ServerlessCreds.Host.Tests.Reveal;
using ServerlessCreds.Host.Tests.SecretEmails;
using static ServerlessCreds.Host.Tests.Audit.AuditTrailReader;

namespace ServerlessCreds.Host.Tests.Audit;

public sealed class AuditLogTests(ServerlessCredsApplication app) : IClassFixture<ServerlessCredsApplication>
{
    static readonly TimeSpan Step = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task A_scripted_sequence_shows_up_newest_first_with_actor_action_target_outcome_and_correlation_id_and_no_secret_material()
    {
        await app.ReadyAsync();
        var flow = new SecretEmailFlow(app);
        var bu = flow.BusinessUnit;
        var caller = $"auditor-{Guid.NewGuid():N}";
        using var admin = app.CreateClientAs(caller, bu, Roles.View, Roles.Create, Roles.Edit, Roles.SendSecretEmail);
        using var auditor = app.CreateClient(bu, Roles.AuditView);
        using var reader = app.CreateClient();
        var run = Guid.NewGuid().ToString("N")[..8];

        var created = await (await SendAsync(admin, HttpMethod.Post, flow.Applications, $"{run}-create",
            new { kind = "internal", vendorName = "Contoso", applicationName = "Sync", scopes = new[] { "Admin" } })).ExpectAsync(HttpStatusCode.Created);
        var id = created.GetProperty("id").GetString()!;
        app.Clock.Advance(Step);
        await (await SendAsync(admin, HttpMethod.Put, $"{flow.Applications}/{id}/scopes/agent", $"{run}-scope")).ExpectAsync(HttpStatusCode.OK);
        app.Clock.Advance(Step);
        var rotated = await (await SendAsync(admin, HttpMethod.Post, $"{flow.Applications}/{id}/secrets", $"{run}-rotate", new { })).ExpectAsync(HttpStatusCode.Created);
        app.Clock.Advance(Step);
        var recipient = $"ana-{run}@customer.example";
        var requested = await SendAsync(admin, HttpMethod.Post, $"{flow.Applications}/{id}/secret-emails", $"{run}-email",
            new { recipientEmail = recipient, passphrase = "correct horse battery" });
        await requested.ExpectAsync(HttpStatusCode.Accepted);
        var delivery = requested.Headers.Location!.OriginalString;
        await SecretEmailFlow.WaitForStatusAsync(admin, delivery, "sent");
        var token = SecretEmailFlow.TokenIn(Assert.Single(flow.EmailsTo(recipient)));
        app.Clock.Advance(Step);
        var reveal = $"/api/one-time-secrets/{token}/reveal";
        await (await SendAsync(reader, HttpMethod.Post, reveal, $"{run}-wrong", new { passphrase = "wrong guess" })).ExpectProblemAsync(HttpStatusCode.Forbidden);
        app.Clock.Advance(Step);
        await (await SendAsync(reader, HttpMethod.Post, reveal, $"{run}-reveal", new { passphrase = "correct horse battery" })).ExpectAsync(HttpStatusCode.OK);
        app.Clock.Advance(Step);
        await (await SendAsync(reader, HttpMethod.Post, reveal, $"{run}-again", new { passphrase = "correct horse battery" })).ExpectProblemAsync(HttpStatusCode.Gone);

        var entries = await ReadAsync(auditor, bu);

        var secretId = rotated.GetProperty("secretId").GetString();
        var deliveryTarget = $"{id}/secret-emails/{delivery.Split('/')[^1]}";
        string[] expected =
        [
            $"secret.reveal-refused secret-email:{deliveryTarget} already-viewed by link-holder [{run}-again]",
            $"secret.revealed secret-email:{deliveryTarget} succeeded by link-holder [{run}-reveal]",
            $"secret.reveal-refused secret-email:{deliveryTarget} wrong-passphrase by link-holder [{run}-wrong]",
            // The email is sent at the same (test) instant it was requested, so these two may come in either order.
            $"secret-email.sent secret-email:{deliveryTarget} succeeded by system [{run}-email]",
            $"secret-email.requested secret-email:{deliveryTarget} succeeded by {caller} [{run}-email]",
            $"secret.created secret:{id}/secrets/{secretId} succeeded by {caller} [{run}-rotate]",
            $"application.scope-added application-scope:{id}/scopes/Agent succeeded by {caller} [{run}-scope]",
            $"application.created application:{id} succeeded by {caller} [{run}-create]",
        ];
        var actual = entries.Select(Describe).ToList();
        Assert.Equal(expected[..3], actual[..3]);
        Assert.Equal(expected[3..5].Order(), actual[3..5].Order());
        Assert.Equal(expected[5..], actual[5..]);
        Assert.All(entries.Where(e => e.GetProperty("actorId").GetString() == caller), e => Assert.Equal("Test User", e.GetProperty("actorName").GetString()));
        var times = entries.Select(e => e.GetProperty("at").GetDateTimeOffset()).ToList();
        Assert.Equal(times.OrderDescending(), times);

        string[] secrets = [created.GetProperty("clientSecret").GetString()!, rotated.GetProperty("clientSecret").GetString()!, token, "correct horse battery", "wrong guess"];
        var json = JsonSerializer.Serialize(entries);
        var rows = await app.Services.GetRequiredService<StorageTables>().Audit.ReadAllAsync(TableFilter.Equal("PartitionKey", bu));
        var stored = string.Join("\n", rows.SelectMany(row => row.Texts()));
        Assert.Equal(entries.Count, rows.Count);
        Assert.All(secrets, secret =>
        {
            Assert.DoesNotContain(secret, json, StringComparison.Ordinal);
            Assert.DoesNotContain(secret, stored, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task Every_change_is_recorded_and_requests_refused_before_any_change_leave_no_entry()
    {
        await app.ReadyAsync();
        var secret = await OneTimeLinks.CreateApplicationAsync(app, "Recorded");
        var bu = secret.BusinessUnit;
        using var admin = app.CreateClient(bu, Roles.View, Roles.Edit, Roles.Delete, Roles.AuditView);
        var application = $"/api/business-units/{bu}/applications/{secret.ApplicationId}";
        var secretId = (await (await admin.GetAsync($"{application}/secrets")).ExpectAsync(HttpStatusCode.OK)).GetProperty("items")[0].GetProperty("secretId").GetString();

        app.Clock.Advance(Step);
        var stale = new HttpRequestMessage(HttpMethod.Patch, application) { Content = System.Net.Http.Json.JsonContent.Create(new { applicationName = "Renamed" }) };
        stale.Headers.TryAddWithoutValidation("If-Match", "\"not-the-version\"");
        await (await admin.SendAsync(stale)).ExpectProblemAsync(HttpStatusCode.PreconditionFailed);
        await (await admin.PatchAsync(application, System.Net.Http.Json.JsonContent.Create(new { applicationName = "Renamed" }))).ExpectAsync(HttpStatusCode.OK);
        app.Clock.Advance(Step);
        await (await admin.DeleteAsync($"{application}/scopes/Admin")).ExpectProblemAsync(HttpStatusCode.BadRequest);
        await (await admin.DeleteAsync($"{application}/secrets/{secretId}")).ExpectAsync(HttpStatusCode.NoContent);
        app.Clock.Advance(Step);
        await (await admin.DeleteAsync(application)).ExpectAsync(HttpStatusCode.NoContent);

        var actual = (await ReadAsync(admin, bu)).Select(e => $"{e.GetProperty("action").GetString()} {e.GetProperty("outcome").GetString()}").ToList();

        // Requests refused before anything changes (a stale If-Match, removing the last scope) change nothing and leave no entry.
        Assert.Equal(["application.deleted succeeded", "secret.revoked succeeded", "application.updated succeeded", "application.created succeeded"], actual);
    }

    [Fact]
    public async Task From_and_to_select_a_time_window_from_inclusive_to_exclusive()
    {
        await app.ReadyAsync();
        var secret = await OneTimeLinks.CreateApplicationAsync(app, "Window");
        using var admin = app.CreateClient(secret.BusinessUnit, Roles.Edit, Roles.AuditView);
        var application = $"/api/business-units/{secret.BusinessUnit}/applications/{secret.ApplicationId}";
        var times = new List<DateTimeOffset>();
        for (var i = 1; i <= 3; i++)
        {
            app.Clock.Advance(TimeSpan.FromMinutes(1));
            times.Add(app.Clock.GetUtcNow());
            await (await admin.PatchAsync(application, System.Net.Http.Json.JsonContent.Create(new { applicationName = $"Window {i}" }))).ExpectAsync(HttpStatusCode.OK);
        }

        async Task<IReadOnlyList<DateTimeOffset>> WindowAsync(string query) =>
            (await ReadAsync(admin, secret.BusinessUnit, query)).Select(e => e.GetProperty("at").GetDateTimeOffset()).ToList();
        static string Time(DateTimeOffset at) => Uri.EscapeDataString(at.UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture));

        Assert.Equal([times[1]], await WindowAsync($"?from={Time(times[1])}&to={Time(times[2])}"));
        Assert.Equal([times[2], times[1]], await WindowAsync($"?from={Time(times[1])}"));
        Assert.Equal([times[2], times[1]], await WindowAsync($"?from={Time(times[1].AddTicks(-1))}"));
        Assert.Equal([times[2]], await WindowAsync($"?from={Time(times[1].AddTicks(1))}"));
        Assert.Equal(4, (await WindowAsync($"?to={Time(times[2].AddTicks(1))}")).Count);
        Assert.Equal(3, (await WindowAsync($"?to={Time(times[2])}")).Count);
        Assert.Empty(await WindowAsync($"?from={Time(times[2].AddTicks(1))}"));

        var reversed = await (await admin.GetAsync($"/api/business-units/{secret.BusinessUnit}/audit?from={Time(times[2])}&to={Time(times[1])}")).ExpectProblemAsync(HttpStatusCode.BadRequest);
        Assert.True(reversed.GetProperty("errors").TryGetProperty("from", out _));
        await (await admin.GetAsync($"/api/business-units/{secret.BusinessUnit}/audit?from=yesterday")).ExpectProblemAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Pages_follow_the_continuation_token_and_a_token_is_refused_by_another_business_unit()
    {
        await app.ReadyAsync();
        var secret = await OneTimeLinks.CreateApplicationAsync(app, "Paged");
        using var admin = app.CreateClient(secret.BusinessUnit, Roles.Edit, Roles.AuditView);
        var application = $"/api/business-units/{secret.BusinessUnit}/applications/{secret.ApplicationId}";
        for (var i = 1; i <= 4; i++)
        {
            app.Clock.Advance(Step);
            await (await admin.PatchAsync(application, System.Net.Http.Json.JsonContent.Create(new { applicationName = $"Paged {i}" }))).ExpectAsync(HttpStatusCode.OK);
        }

        var all = (await ReadAsync(admin, secret.BusinessUnit)).Select(e => e.GetProperty("at").GetDateTimeOffset()).ToList();
        var paged = new List<DateTimeOffset>();
        var sizes = new List<int>();
        string? token = null;
        string? firstToken = null;
        do
        {
            var query = $"?pageSize=2{(token is null ? "" : $"&continuationToken={Uri.EscapeDataString(token)}")}";
            var page = await (await admin.GetAsync($"/api/business-units/{secret.BusinessUnit}/audit{query}")).ExpectAsync(HttpStatusCode.OK);
            var items = page.GetProperty("items").EnumerateArray().ToList();
            sizes.Add(items.Count);
            paged.AddRange(items.Select(e => e.GetProperty("at").GetDateTimeOffset()));
            token = page.GetProperty("continuationToken").GetString();
            firstToken ??= token;
        }
        while (token is not null);

        Assert.Equal(5, all.Count);
        Assert.Equal(all, paged);
        Assert.Equal(2, sizes[0]);
        Assert.Equal(5, sizes.Sum());

        var other = $"bu{Guid.NewGuid():N}"[..20];
        using var otherAuditor = app.CreateClient(other, Roles.AuditView);
        await (await otherAuditor.GetAsync($"/api/business-units/{other}/audit?continuationToken={Uri.EscapeDataString(firstToken!)}")).ExpectProblemAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task A_business_unit_reads_only_its_own_log_and_only_with_the_audit_role()
    {
        await app.ReadyAsync();
        var mine = await OneTimeLinks.CreateApplicationAsync(app, "Mine");
        var theirs = await OneTimeLinks.CreateApplicationAsync(app, "Theirs");
        using var auditor = app.CreateClient(mine.BusinessUnit, Roles.AuditView);
        using var viewer = app.CreateClient(mine.BusinessUnit, Roles.View, Roles.Create, Roles.Edit, Roles.Delete, Roles.SendSecretEmail);
        using var manager = app.CreateClient(null, Roles.PlatformAccountManager);
        using var platformAdmin = app.CreateClient(null, Roles.PlatformAdmin);

        var own = Assert.Single(await ReadAsync(auditor, mine.BusinessUnit));
        Assert.Equal($"application:{mine.ApplicationId}", $"{own.GetProperty("targetType").GetString()}:{own.GetProperty("targetId").GetString()}");
        await (await auditor.GetAsync($"/api/business-units/{theirs.BusinessUnit}/audit")).ExpectProblemAsync(HttpStatusCode.Forbidden);
        await (await auditor.GetAsync($"/api/business-units/_platform/audit")).ExpectProblemAsync(HttpStatusCode.Forbidden);
        await (await viewer.GetAsync($"/api/business-units/{mine.BusinessUnit}/audit")).ExpectProblemAsync(HttpStatusCode.Forbidden);
        await (await manager.GetAsync($"/api/business-units/{mine.BusinessUnit}/audit")).ExpectProblemAsync(HttpStatusCode.Forbidden);
        var read = Assert.Single(await ReadAsync(platformAdmin, theirs.BusinessUnit));
        Assert.Equal(theirs.ApplicationId, read.GetProperty("targetId").GetString());
    }

    [Fact]
    public async Task Catalog_changes_go_to_the_platform_log_that_only_platform_admins_read()
    {
        await app.ReadyAsync();
        var actor = $"platform-admin-{Guid.NewGuid():N}";
        using var platformAdmin = app.CreateClientAs(actor, null, Roles.PlatformAdmin);
        var name = $"Audited{Guid.NewGuid():N}"[..20];
        var correlation = Guid.NewGuid().ToString("N");
        await (await SendAsync(platformAdmin, HttpMethod.Post, "/api/scopes", correlation, new { name })).ExpectAsync(HttpStatusCode.Created);
        await (await SendAsync(platformAdmin, HttpMethod.Post, "/api/scopes", correlation + "-again", new { name })).ExpectProblemAsync(HttpStatusCode.Conflict);
        var external = await (await SendAsync(platformAdmin, HttpMethod.Post, "/api/external-applications", correlation,
            new { vendorName = "Vendor", applicationName = "Plug-in", scopes = new[] { "Agent" } })).ExpectAsync(HttpStatusCode.Created);

        var page = await (await platformAdmin.GetAsync("/api/business-units/_platform/audit?pageSize=200")).ExpectAsync(HttpStatusCode.OK);
        var entries = page.GetProperty("items").EnumerateArray().Select(Describe).ToList();

        Assert.Contains($"scope.created scope:{name} succeeded by {actor} [{correlation}]", entries);
        Assert.Contains($"scope.created scope:{name} failed by {actor} [{correlation}-again]", entries);
        Assert.Contains($"external-application.created external-application:{external.GetProperty("id").GetString()} succeeded by {actor} [{correlation}]", entries);
        using var businessUnitAdmin = app.CreateClient("contoso", Roles.AuditView, Roles.Create, Roles.Edit);
        await (await businessUnitAdmin.GetAsync("/api/business-units/_platform/audit")).ExpectProblemAsync(HttpStatusCode.Forbidden);
    }
}
