using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ServerlessCreds.Host.Http;
using ServerlessCreds.Host.Tests.Api;

namespace ServerlessCreds.Host.Tests.Hostile;

/// <summary>Reveal endpoints are limited per client address and per link token; the API answers problem+json, the pages HTML.</summary>
public sealed class RevealRateLimitTests
{
    static async Task<ServerlessCredsApplication> StartAsync(int perAddress, int perToken, bool underFunctionsHost = false)
    {
        var settings = new Dictionary<string, string?>
        {
            ["RateLimits:RevealsPerAddress"] = perAddress.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["RateLimits:RevealsPerToken"] = perToken.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        if (underFunctionsHost)
        {
            settings["FUNCTIONS_CUSTOMHANDLER_PORT"] = "7071";
        }

        var app = new ServerlessCredsApplication { Settings = settings };
        await app.InitializeAsync();
        await app.ReadyAsync();
        return app;
    }

    static Task<HttpResponseMessage> RevealAsync(HttpClient client, string token) => client.PostJsonAsync($"/api/one-time-secrets/{token}/reveal", "{}");

    [Fact]
    public async Task The_API_answers_429_problem_json_with_Retry_After_once_an_address_is_over_its_limit()
    {
        await using var app = await StartAsync(perAddress: 3, perToken: 100);
        using var client = app.CreateClient();
        for (var i = 0; i < 3; i++)
        {
            await (await RevealAsync(client, $"unknown-{i}")).ExpectProblemAsync(HttpStatusCode.NotFound);
        }

        var limited = await RevealAsync(client, "unknown-other");

        var problem = await limited.ExpectProblemAsync(HttpStatusCode.TooManyRequests);
        Assert.InRange(int.Parse(limited.Headers.RetryAfter!.ToString(), System.Globalization.CultureInfo.InvariantCulture), 1, 60);
        Assert.Equal("no-store", limited.Headers.CacheControl?.ToString());
        Assert.DoesNotContain("unknown-other", problem.ToString(), StringComparison.Ordinal);
        Assert.True(limited.Headers.Contains("X-Correlation-Id"));
    }

    [Fact]
    public async Task The_link_pages_answer_429_with_a_neutral_page_under_the_page_headers()
    {
        await using var app = await StartAsync(perAddress: 100, perToken: 2);
        using var client = app.CreateClient();
        await client.GetAsync("/s/some-token");
        await client.PostAsync("/s/some-token", new FormUrlEncodedContent([]));

        var limited = await client.GetAsync("/s/some-token");

        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Equal("text/html", limited.Content.Headers.ContentType?.MediaType);
        Assert.NotNull(limited.Headers.RetryAfter);
        Assert.Contains("too many attempts", await limited.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal("no-referrer", limited.Headers.GetValues("Referrer-Policy").Single());
        Assert.Contains("default-src 'none'", limited.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task One_token_is_limited_across_addresses_while_other_tokens_still_answer()
    {
        await using var app = await StartAsync(perAddress: 100, perToken: 2, underFunctionsHost: true);
        for (var i = 0; i < 2; i++)
        {
            Assert.Equal(404, (await SendFromAsync(app, $"203.0.113.{i}", "the-token")).Response.StatusCode);
        }

        Assert.Equal(429, (await SendFromAsync(app, "203.0.113.9", "the-token")).Response.StatusCode);
        Assert.Equal(404, (await SendFromAsync(app, "203.0.113.9", "another-token")).Response.StatusCode);
    }

    [Fact]
    public async Task Under_the_Functions_host_the_address_the_front_end_appended_is_the_key_not_one_the_caller_sent()
    {
        await using var app = await StartAsync(perAddress: 2, perToken: 100, underFunctionsHost: true);
        for (var i = 0; i < 2; i++)
        {
            Assert.Equal(404, (await SendFromAsync(app, "203.0.113.7:50123", $"t{i}")).Response.StatusCode);
        }

        // The same caller claiming another address in its own X-Forwarded-For, which the front end appends to.
        Assert.Equal(429, (await SendFromAsync(app, "198.51.100.66, 203.0.113.7:50999", "t3")).Response.StatusCode);
        Assert.Equal(404, (await SendFromAsync(app, "198.51.100.2", "t4")).Response.StatusCode);
    }

    [Fact]
    public async Task Standalone_a_forwarded_header_is_the_callers_own_claim_and_changes_nothing()
    {
        await using var app = await StartAsync(perAddress: 2, perToken: 100);
        for (var i = 0; i < 2; i++)
        {
            Assert.Equal(404, (await SendFromAsync(app, $"203.0.113.{i}", $"t{i}")).Response.StatusCode);
        }

        Assert.Equal(429, (await SendFromAsync(app, "198.51.100.2", "t3")).Response.StatusCode);
    }

    [Fact]
    public async Task Other_endpoints_are_not_limited()
    {
        await using var app = await StartAsync(perAddress: 1, perToken: 1);
        using var client = app.CreateClient(null, "Platform.Admin");
        for (var i = 0; i < 5; i++)
        {
            await (await client.GetAsync("/api/scopes")).ExpectAsync(HttpStatusCode.OK);
        }
    }

    [Theory]
    [InlineData("RateLimits:RevealsPerAddress", "0")]
    [InlineData("RateLimits:RevealsPerToken", "-1")]
    [InlineData("RateLimits:Window", "00:00:00")]
    public void Invalid_limits_stop_the_host_at_start(string key, string value)
    {
        // The host runs the same start-up validator before anything else starts; calling it directly keeps the test
        // free of the races of a host torn down mid-start.
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [key] = value }).Build();
        using var services = new ServiceCollection().AddRevealRateLimits(configuration).BuildServiceProvider();
        var validator = services.GetRequiredService<IStartupValidator>();

        var failure = Assert.Throws<OptionsValidationException>(() => validator.Validate());
        Assert.Contains(failure.Failures, message => message.Contains(key, StringComparison.Ordinal));
    }

    /// <summary>A request as the Functions host forwards it: from loopback, with the client in X-Forwarded-For.</summary>
    static Task<HttpContext> SendFromAsync(ServerlessCredsApplication app, string forwardedFor, string token) =>
        app.Server.SendAsync(context =>
        {
            context.Connection.RemoteIpAddress = IPAddress.Loopback;
            context.Request.Method = "POST";
            context.Request.Path = $"/api/one-time-secrets/{token}/reveal";
            context.Request.Headers["X-Forwarded-For"] = forwardedFor;
            context.Request.ContentType = "application/json";
            context.Request.Body = new MemoryStream("{}"u8.ToArray());
        });
}
