using System.Net;
using ServerlessCreds.Host.Tests.Api;
using ServerlessCreds.Host.Tests.SecretEmails;

namespace ServerlessCreds.Host.Tests.Faults;

/// <summary>The Key Vault test server answering errors, dropping connections or stopped; each test has its own host and vault.</summary>
public sealed class KeyVaultFaultTests() : HostPerTest(new())
{


    [Theory]
    [InlineData(429)]
    [InlineData(500)]
    [InlineData(503)]
    [InlineData(0)] // connections dropped
    public async Task Vault_failures_answer_503_change_nothing_and_the_same_calls_succeed_afterwards(int status)
    {
        using var client = Flow.Admin();
        var existing = await Flow.CreateApplicationAsync(client);
        var secrets = $"{Flow.Applications}/{existing.GetProperty("id").GetString()}/secrets";
        var secretId = existing.GetProperty("secretId").GetString()!;
        Fail(status, 1000);
        try
        {
            await (await client.PostJsonAsync(Flow.Applications, new { kind = "internal", vendorName = "V", applicationName = "Down", scopes = new[] { "Admin" } }))
                .ExpectProblemAsync(HttpStatusCode.ServiceUnavailable);
            await (await client.PostJsonAsync(secrets, "{}")).ExpectProblemAsync(HttpStatusCode.ServiceUnavailable);
            await (await client.DeleteAsync($"{secrets}/{secretId}")).ExpectProblemAsync(HttpStatusCode.ServiceUnavailable);
        }
        finally
        {
            Fail(status, 0);
        }

        await FlowState.AssertConsistentAsync(App, client, Flow.BusinessUnit);
        var listed = await (await client.GetAsync(secrets)).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("active", Assert.Single(listed.GetProperty("items").EnumerateArray()).GetProperty("state").GetString());
        await (await client.PostJsonAsync(secrets, "{}")).ExpectAsync(HttpStatusCode.Created);
        await (await client.DeleteAsync($"{secrets}/{secretId}")).ExpectAsync(HttpStatusCode.NoContent);
        await FlowState.AssertConsistentAsync(App, client, Flow.BusinessUnit);
    }

    [Theory]
    [InlineData(10, "sent")] // two attempts fail to load the link key, the third sends
    [InlineData(1000, "failed")] // every attempt fails: the message is poisoned and the delivery says so
    public async Task A_vault_outage_while_sending_ends_the_delivery_sent_once_or_failed_never_stuck(int failedVaultRequests, string final)
    {
        using var client = Flow.Admin();
        var created = await Flow.CreateApplicationAsync(client);
        App.Vault.FailNext(failedVaultRequests, 503);

        var delivery = await Flow.RequestAsync(client, created.GetProperty("id").GetString()!, new { recipientEmail = "vault@customer.example" });

        await Eventually.TrueAsync(
            async () => await SecretEmailFlow.StatusAsync(client, delivery) == final, TimeSpan.FromSeconds(60), $"the delivery is {final}");
        App.Vault.FailNext(0, 503);
        Assert.Equal(final == "sent" ? 1 : 0, Flow.EmailsTo("vault@customer.example").Count);
    }

    [Fact]
    public async Task A_reveal_while_the_vault_is_stopped_fails_without_burning_the_link()
    {
        using var client = Flow.Admin();
        var created = await Flow.CreateApplicationAsync(client);
        var (delivery, token) = await Flow.SendLinkAsync(client, created.GetProperty("id").GetString()!, "reveal@customer.example");
        using var reader = App.CreateClient();

        await App.Vault.StopAsync();
        try
        {
            await (await reader.PostJsonAsync($"/api/one-time-secrets/{token}/reveal", "{}")).ExpectProblemAsync(HttpStatusCode.ServiceUnavailable);
            var page = await reader.PostAsync($"/s/{token}", new FormUrlEncodedContent([]));
            Assert.Equal(HttpStatusCode.ServiceUnavailable, page.StatusCode);
            Assert.DoesNotContain(created.GetProperty("clientSecret").GetString()!, await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        finally
        {
            await App.Vault.StartAsync();
        }

        Assert.Equal("sent", await SecretEmailFlow.StatusAsync(client, delivery));
        var revealed = await (await reader.PostJsonAsync($"/api/one-time-secrets/{token}/reveal", "{}")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(created.GetProperty("clientSecret").GetString(), revealed.GetProperty("clientSecret").GetString());
        Assert.Equal("viewed", await SecretEmailFlow.StatusAsync(client, delivery));
    }

    void Fail(int status, int count)
    {
        if (status == 0)
        {
            App.Vault.DropNextConnections(count);
        }
        else
        {
            App.Vault.FailNext(count, status);
        }
    }
}
