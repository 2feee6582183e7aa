using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ServerlessCreds.Host.Http;

namespace ServerlessCreds.Host.Tests.Hostile;

/// <summary>CORS answers only the configured front-end origins, and only when the handler runs standalone.</summary>
public sealed class FrontEndCorsTests
{
    const string Portal = "https://portal.example.com";

    static async Task<ServerlessCredsApplication> StartAsync(Dictionary<string, string?> settings)
    {
        var app = new ServerlessCredsApplication { Settings = settings };
        await app.InitializeAsync();
        await app.ReadyAsync();
        return app;
    }

    static HttpRequestMessage Preflight(string origin)
    {
        var request = new HttpRequestMessage(HttpMethod.Options, "/api/scopes");
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", "POST");
        request.Headers.Add("Access-Control-Request-Headers", "authorization,content-type");
        return request;
    }

    [Fact]
    public async Task A_configured_origin_gets_its_preflight_and_response_headers()
    {
        await using var app = await StartAsync(new() { ["Cors:AllowedOrigins:0"] = Portal, ["Cors:AllowedOrigins:1"] = "http://localhost:5173" });
        using var client = app.CreateClient(null, "Platform.Admin");

        var preflight = await client.SendAsync(Preflight(Portal));
        using var get = new HttpRequestMessage(HttpMethod.Get, "/api/scopes");
        get.Headers.Add("Origin", Portal);
        var response = await client.SendAsync(get);

        Assert.Equal(HttpStatusCode.NoContent, preflight.StatusCode);
        Assert.Equal(Portal, preflight.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Contains("POST", preflight.Headers.GetValues("Access-Control-Allow-Methods").Single(), StringComparison.Ordinal);
        Assert.False(preflight.Headers.Contains("Access-Control-Allow-Credentials"));
        Assert.Equal(Portal, response.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Contains("ETag", response.Headers.GetValues("Access-Control-Expose-Headers").Single(), StringComparison.Ordinal);
        Assert.Contains("Idempotent-Replayed", response.Headers.GetValues("Access-Control-Expose-Headers").Single(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Another_origin_gets_no_CORS_headers()
    {
        await using var app = await StartAsync(new() { ["Cors:AllowedOrigins:0"] = Portal });
        using var client = app.CreateClient(null, "Platform.Admin");

        var preflight = await client.SendAsync(Preflight("https://evil.example"));

        Assert.False(preflight.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Without_origins_or_under_the_Functions_host_there_are_no_CORS_headers(bool underFunctionsHost)
    {
        var settings = underFunctionsHost
            ? new Dictionary<string, string?> { ["Cors:AllowedOrigins:0"] = Portal, ["FUNCTIONS_CUSTOMHANDLER_PORT"] = "7071" }
            : [];
        await using var app = await StartAsync(settings);
        using var client = app.CreateClient(null, "Platform.Admin");

        var preflight = await client.SendAsync(Preflight(Portal));

        Assert.False(preflight.Headers.Contains("Access-Control-Allow-Origin"));
        Assert.Equal("application/problem+json", preflight.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("http://portal.example.com")]
    [InlineData("https://portal.example.com/")]
    [InlineData("https://portal.example.com/app")]
    [InlineData("https://user@portal.example.com")]
    [InlineData("*")]
    [InlineData("portal.example.com")]
    public void An_origin_that_is_not_an_https_origin_stops_the_host_at_start(string origin)
    {
        // The host runs this start-up validator before anything else starts; calling it directly avoids a host torn down mid-start.
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Cors:AllowedOrigins:0"] = origin }).Build();
        using var services = new ServiceCollection().AddFrontEndCors(configuration).BuildServiceProvider();
        var validator = services.GetRequiredService<IStartupValidator>();

        var failure = Assert.Throws<OptionsValidationException>(() => validator.Validate());
        Assert.Contains(failure.Failures, message => message.Contains("Cors:AllowedOrigins", StringComparison.Ordinal));
    }
}
