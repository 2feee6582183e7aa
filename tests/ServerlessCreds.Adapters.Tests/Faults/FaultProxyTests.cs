using System.Net;
using ServerlessCreds.Testing.Azurite;
using ServerlessCreds.Testing.Faults;

namespace ServerlessCreds.Adapters.Tests.Faults;

[Collection(FaultsOnAzurite.Name)]
public sealed class FaultProxyTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task A_counted_rule_applies_to_exactly_that_many_concurrent_requests()
    {
        await using var proxy = await FaultProxy.StartAsync(azurite.Azurite.TableServiceUri);
        var rule = proxy.FailWhen(_ => true, 503, times: 5);
        using var client = new HttpClient { BaseAddress = proxy.Address };

        var statuses = await Task.WhenAll(Enumerable.Range(0, 40).Select(async _ =>
        {
            using var response = await client.GetAsync(new Uri($"{AzuriteInstance.AccountName}/Tables", UriKind.Relative));
            return response.StatusCode;
        }));

        Assert.Equal(5, statuses.Count(status => status == HttpStatusCode.ServiceUnavailable));
        Assert.Equal(5, rule.Hits);
        Assert.Equal(40, proxy.Log.Count);
        Assert.Equal(35, proxy.Log.Count(exchange => exchange.Forwarded));
    }

    [Fact]
    public async Task An_unreachable_target_is_answered_with_bad_gateway()
    {
        await using var down = await AzuriteInstance.StartNewAsync();
        await down.StopAsync();
        await using var proxy = await FaultProxy.StartAsync(down.TableServiceUri);
        using var client = new HttpClient { BaseAddress = proxy.Address };

        using var response = await client.GetAsync(new Uri($"{AzuriteInstance.AccountName}/Tables", UriKind.Relative));

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal(new ProxiedExchange("GET", $"/{AzuriteInstance.AccountName}/Tables", 502, Forwarded: false), Assert.Single(proxy.Log));
    }
}
