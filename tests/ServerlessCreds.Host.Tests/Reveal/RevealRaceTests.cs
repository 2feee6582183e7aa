using System.Net;
using ServerlessCreds.Callers;
using ServerlessCreds.Host.Tests.Api;
using ServerlessCreds.Testing.Faults;
using static ServerlessCreds.Host.Tests.Audit.AuditTrailReader;

namespace ServerlessCreds.Host.Tests.Reveal;

/// <summary>
/// Reveals whose conditional write loses a race: the proxy holds one attempt's delivery write back until another attempt
/// has changed the delivery, so the held write fails its ETag condition and the attempt goes round again. And reveals
/// whose write is applied but whose answer is lost, so the table client's retry fails its ETag condition on that write.
/// </summary>
public sealed class RevealRaceTests() : HostPerTest(new() { ProxyTables = true })
{
    static readonly TimeSpan Patience = TimeSpan.FromSeconds(5);

    FaultProxy Proxy => App.TableProxy;

    static bool IsDeliveryWrite(ProxiedRequest request) => request.Method == "PUT" && request.Path.Contains("/Deliveries(", StringComparison.Ordinal);

    [Fact]
    public async Task A_wrong_passphrase_that_loses_the_race_is_counted_once_with_one_audit_entry()
    {
        var reveal = await SendLinkAsync("correct horse battery");
        using var reader = App.CreateClient();
        var release = new TaskCompletionSource();
        var held = Proxy.HoldWhen(IsDeliveryWrite, release.Task, times: 1);

        var slow = SendAsync(reader, HttpMethod.Post, reveal, "slow", new { passphrase = "wrong guess" });
        await Eventually.TrueAsync(() => held.Hits == 1, Patience, "the first try's write is held");
        var fast = await (await SendAsync(reader, HttpMethod.Post, reveal, "fast", new { passphrase = "wrong guess" })).ExpectProblemAsync(HttpStatusCode.Forbidden);
        release.SetResult();
        var slowProblem = await (await slow).ExpectProblemAsync(HttpStatusCode.Forbidden);

        Assert.Contains("4 more wrong tries", fast.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains("3 more wrong tries", slowProblem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(
            ["secret.reveal-refused wrong-passphrase [fast]", "secret.reveal-refused wrong-passphrase [slow]"],
            await RevealEntriesAsync());
    }

    [Fact]
    public async Task A_reveal_that_loses_the_race_leaves_one_already_viewed_entry()
    {
        var reveal = await SendLinkAsync(passphrase: null);
        using var reader = App.CreateClient();
        var release = new TaskCompletionSource();
        var held = Proxy.HoldWhen(IsDeliveryWrite, release.Task, times: 1);

        var slow = SendAsync(reader, HttpMethod.Post, reveal, "slow", new { });
        await Eventually.TrueAsync(() => held.Hits == 1, Patience, "the first reveal's write is held");
        var fast = await (await SendAsync(reader, HttpMethod.Post, reveal, "fast", new { })).ExpectAsync(HttpStatusCode.OK);
        release.SetResult();
        await (await slow).ExpectProblemAsync(HttpStatusCode.Gone);

        Assert.Matches("^[A-Za-z0-9]{40}$", fast.GetProperty("clientSecret").GetString());
        Assert.Equal(
            ["secret.reveal-refused already-viewed [slow]", "secret.revealed succeeded [fast]"],
            await RevealEntriesAsync());
    }

    [Fact]
    public async Task A_reveal_whose_viewed_write_lost_its_answer_still_shows_the_secret_and_only_once()
    {
        var reveal = await SendLinkAsync(passphrase: null);
        using var reader = App.CreateClient();
        var lost = Proxy.FailAfterForwardingWhen(IsDeliveryWrite, 503, times: 1);

        var revealed = await (await SendAsync(reader, HttpMethod.Post, reveal, "lost", new { })).ExpectAsync(HttpStatusCode.OK);

        Assert.Equal(1, lost.Hits);
        Assert.Matches("^[A-Za-z0-9]{40}$", revealed.GetProperty("clientSecret").GetString());
        await (await SendAsync(reader, HttpMethod.Post, reveal, "again", new { })).ExpectProblemAsync(HttpStatusCode.Gone);
        Assert.Equal(
            ["secret.reveal-refused already-viewed [again]", "secret.revealed succeeded [lost]"],
            await RevealEntriesAsync());
    }

    [Fact]
    public async Task A_wrong_passphrase_whose_write_lost_its_answer_is_counted_once()
    {
        var reveal = await SendLinkAsync("correct horse battery");
        using var reader = App.CreateClient();
        var lost = Proxy.FailAfterForwardingWhen(IsDeliveryWrite, 503, times: 1);

        var first = await (await SendAsync(reader, HttpMethod.Post, reveal, "lost", new { passphrase = "wrong guess" })).ExpectProblemAsync(HttpStatusCode.Forbidden);
        var second = await (await SendAsync(reader, HttpMethod.Post, reveal, "next", new { passphrase = "wrong guess" })).ExpectProblemAsync(HttpStatusCode.Forbidden);

        Assert.Equal(1, lost.Hits);
        Assert.Contains("4 more wrong tries", first.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains("3 more wrong tries", second.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(
            ["secret.reveal-refused wrong-passphrase [lost]", "secret.reveal-refused wrong-passphrase [next]"],
            await RevealEntriesAsync());
    }

    /// <summary>Emails a link and waits until the delivery reads sent, so no write of the send can meet the held one.</summary>
    async Task<string> SendLinkAsync(string? passphrase)
    {
        using var client = Flow.Admin();
        var created = await Flow.CreateApplicationAsync(client);
        var (_, token) = await Flow.SendLinkAsync(client, created.GetProperty("id").GetString()!, $"reader-{Guid.NewGuid():N}@customer.example", passphrase);
        return $"/api/one-time-secrets/{token}/reveal";
    }

    async Task<IReadOnlyList<string>> RevealEntriesAsync()
    {
        using var auditor = App.CreateClient(Flow.BusinessUnit, Roles.AuditView);
        return (await ReadAsync(auditor, Flow.BusinessUnit))
            .Where(e => e.GetProperty("action").GetString()!.Contains("reveal", StringComparison.Ordinal))
            .Select(e => $"{e.GetProperty("action").GetString()} {e.GetProperty("outcome").GetString()} [{e.GetProperty("correlationId").GetString()}]")
            .Order(StringComparer.Ordinal)
            .ToList();
    }
}
