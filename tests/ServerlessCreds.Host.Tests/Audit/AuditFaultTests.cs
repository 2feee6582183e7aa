using System.Net;
using ServerlessCreds.Callers;
using ServerlessCreds.Host.Tests.Api;
using ServerlessCreds.Host.Tests.Reveal;
using ServerlessCreds.Testing.Faults;
using static ServerlessCreds.Host.Tests.Audit.AuditTrailReader;

namespace ServerlessCreds.Host.Tests.Audit;

/// <summary>The audit table failing on its own, injected by a proxy in front of the real Azurite.</summary>
public sealed class AuditFaultTests : IAsyncLifetime
{
    readonly ServerlessCredsApplication app = new() { ProxyTables = true };

    FaultProxy Proxy => app.TableProxy;

    public async Task InitializeAsync()
    {
        await app.InitializeAsync();
        await app.ReadyAsync();
    }

    public Task DisposeAsync() => app.DisposeAsync().AsTask();

    static bool IsAuditWrite(ProxiedRequest request) => request.Method == "PUT" && request.Path.Contains("/Audit(", StringComparison.Ordinal);

    [Fact]
    public async Task When_the_audit_log_cannot_be_written_a_create_answers_503_and_creates_nothing()
    {
        var bu = $"bu{Guid.NewGuid():N}"[..20];
        using var client = app.CreateClient(bu, Roles.View, Roles.Create, Roles.AuditView);
        var rule = Proxy.FailWhen(IsAuditWrite, 503);

        await (await client.PostJsonAsync($"/api/business-units/{bu}/applications", new { kind = "internal", vendorName = "Contoso", applicationName = "Sync", scopes = new[] { "Admin" } }))
            .ExpectProblemAsync(HttpStatusCode.ServiceUnavailable);

        Assert.True(rule.Hits > 0);
        Proxy.ClearRules();
        var list = await (await client.GetAsync($"/api/business-units/{bu}/applications")).ExpectAsync(HttpStatusCode.OK);
        Assert.Empty(list.GetProperty("items").EnumerateArray());
        Assert.DoesNotContain(app.Vault.Secrets, s => s.Tags.GetValueOrDefault("businessUnit") == bu);
        Assert.Empty(await ReadAsync(client, bu));
    }

    [Fact]
    public async Task When_the_audit_log_cannot_be_written_a_reveal_answers_503_and_the_link_still_works_afterwards()
    {
        var secret = await OneTimeLinks.CreateApplicationAsync(app, "Outage");
        var token = await OneTimeLinks.SendAsync(app, secret);
        using var reader = app.CreateClient();
        Proxy.FailWhen(IsAuditWrite, 503);

        await (await reader.PostJsonAsync($"/api/one-time-secrets/{token}/reveal", "{}")).ExpectProblemAsync(HttpStatusCode.ServiceUnavailable);

        Proxy.ClearRules();
        var revealed = await (await reader.PostJsonAsync($"/api/one-time-secrets/{token}/reveal", "{}")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(secret.ClientSecret, revealed.GetProperty("clientSecret").GetString());
        using var auditor = app.CreateClient(secret.BusinessUnit, Roles.AuditView);
        var reveals = (await ReadAsync(auditor, secret.BusinessUnit))
            .Where(e => e.GetProperty("action").GetString()!.Contains("reveal", StringComparison.Ordinal))
            .Select(e => $"{e.GetProperty("action").GetString()} {e.GetProperty("outcome").GetString()}");
        Assert.Equal(["secret.revealed succeeded"], reveals);
    }

    [Fact]
    public async Task When_only_the_final_outcome_cannot_be_written_the_change_stands_and_its_entry_says_started()
    {
        var secret = await OneTimeLinks.CreateApplicationAsync(app, "Half written");
        using var client = app.CreateClient(secret.BusinessUnit, Roles.View, Roles.Edit, Roles.AuditView);
        var application = $"/api/business-units/{secret.BusinessUnit}/applications/{secret.ApplicationId}";
        app.Clock.Advance(TimeSpan.FromSeconds(1));
        var writes = 0;
        Proxy.FailWhen(request => IsAuditWrite(request) && Interlocked.Increment(ref writes) > 1, 503);

        var updated = await (await client.PatchAsync(application, System.Net.Http.Json.JsonContent.Create(new { applicationName = "Renamed" }))).ExpectAsync(HttpStatusCode.OK);

        Proxy.ClearRules();
        Assert.Equal("Renamed", updated.GetProperty("applicationName").GetString());
        var newest = (await ReadAsync(client, secret.BusinessUnit))[0];
        Assert.Equal("application.updated started", $"{newest.GetProperty("action").GetString()} {newest.GetProperty("outcome").GetString()}");
    }
}
