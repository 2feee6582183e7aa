using System.Net;
using ServerlessCreds.Host.Tests.Api;

namespace ServerlessCreds.Host.Tests.Reveal;

public sealed class RevealApiTests(ServerlessCredsApplication app) : IClassFixture<ServerlessCredsApplication>
{
    [Fact]
    public async Task The_json_reveal_returns_the_secret_once_then_410()
    {
        await app.ReadyAsync();
        var secret = await OneTimeLinks.CreateApplicationAsync(app, "Json app");
        var token = await OneTimeLinks.SendAsync(app, secret);
        using var reader = app.CreateClient();

        var response = await reader.PostJsonAsync($"/api/one-time-secrets/{token}/reveal", "{}");
        var body = await response.ExpectAsync(HttpStatusCode.OK);

        Assert.Equal("Json app", body.GetProperty("applicationName").GetString());
        Assert.Equal(secret.ClientId, body.GetProperty("clientId").GetString());
        Assert.Equal(secret.ClientSecret, body.GetProperty("clientSecret").GetString());
        Assert.Equal(3, body.EnumerateObject().Count());
        RevealPageTests.AssertSensitiveHeaders(response);

        var again = await reader.PostJsonAsync($"/api/one-time-secrets/{token}/reveal", "{}");
        var problem = await again.ExpectProblemAsync(HttpStatusCode.Gone);
        Assert.Contains("already viewed", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        RevealPageTests.AssertSensitiveHeaders(again);
    }

    [Fact]
    public async Task A_body_is_optional_and_unknown_properties_are_refused_without_consuming_the_link()
    {
        await app.ReadyAsync();
        var secret = await OneTimeLinks.CreateApplicationAsync(app, "Strict app");
        var token = await OneTimeLinks.SendAsync(app, secret);
        using var reader = app.CreateClient();

        var refused = await (await reader.PostJsonAsync($"/api/one-time-secrets/{token}/reveal", """{"passphrase":null,"clientSecret":"x"}"""))
            .ExpectProblemAsync(HttpStatusCode.BadRequest);
        Assert.True(refused.GetProperty("errors").TryGetProperty("clientSecret", out _));

        var revealed = await (await reader.PostAsync($"/api/one-time-secrets/{token}/reveal", null)).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(secret.ClientSecret, revealed.GetProperty("clientSecret").GetString());
    }

    [Fact]
    public async Task An_unknown_token_is_a_404_problem_with_the_sensitive_headers()
    {
        await app.ReadyAsync();
        using var reader = app.CreateClient();

        var response = await reader.PostJsonAsync($"/api/one-time-secrets/{OneTimeLinks.UnknownToken()}/reveal", "{}");

        await response.ExpectProblemAsync(HttpStatusCode.NotFound);
        RevealPageTests.AssertSensitiveHeaders(response);
    }
}
