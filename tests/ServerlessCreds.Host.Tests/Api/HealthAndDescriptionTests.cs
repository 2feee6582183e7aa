using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ServerlessCreds.Host.Api;

namespace ServerlessCreds.Host.Tests.Api;

public sealed class HealthAndDescriptionTests(ServerlessCredsApplication app) : IClassFixture<ServerlessCredsApplication>
{
    [Fact]
    public async Task Health_is_ok_and_anonymous_when_dependencies_answer()
    {
        await app.ReadyAsync();
        using var client = app.CreateClient();

        var body = await (await client.GetAsync("/api/health")).ExpectAsync(HttpStatusCode.OK);

        Assert.Equal("ok", body.GetProperty("status").GetString());
        Assert.Equal("ok", body.GetProperty("dependencies").GetProperty("tableStorage").GetString());
        Assert.Equal("ok", body.GetProperty("dependencies").GetProperty("queueStorage").GetString());
        Assert.Equal("ok", body.GetProperty("dependencies").GetProperty("keyVault").GetString());
    }

    [Fact]
    public async Task Health_is_503_naming_the_vault_while_it_is_down()
    {
        await app.ReadyAsync();
        using var client = app.CreateClient();

        await app.Vault.StopAsync();
        try
        {
            var body = await (await client.GetAsync("/api/health")).ExpectAsync(HttpStatusCode.ServiceUnavailable);
            Assert.Equal("unreachable", body.GetProperty("dependencies").GetProperty("keyVault").GetString());
            Assert.Equal("ok", body.GetProperty("dependencies").GetProperty("tableStorage").GetString());
        }
        finally
        {
            await app.Vault.StartAsync();
        }
    }

    [Fact]
    public async Task Health_is_503_naming_storage_while_azurite_is_down_and_recovers_when_it_returns()
    {
        await using var isolated = new ServerlessCredsApplication();
        await isolated.InitializeAsync();
        var azurite = isolated.Azurite;
        await isolated.ReadyAsync();
        using var client = isolated.CreateClient();

        await azurite.StopAsync();
        var down = await client.GetAsync("/api/health");
        var downBody = await down.ExpectAsync(HttpStatusCode.ServiceUnavailable);
        Assert.Equal("unreachable", downBody.GetProperty("dependencies").GetProperty("tableStorage").GetString());
        Assert.Equal("unreachable", downBody.GetProperty("dependencies").GetProperty("queueStorage").GetString());

        await azurite.StartAsync();
        await (await client.GetAsync("/api/health")).ExpectAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Requests_while_storage_is_down_get_a_503_problem()
    {
        await using var isolated = new ServerlessCredsApplication();
        await isolated.InitializeAsync();
        var azurite = isolated.Azurite;
        await isolated.ReadyAsync();
        using var client = isolated.CreateClient("bu1", "ApiApplications.Create");

        await azurite.StopAsync();
        var response = await client.PostJsonAsync("/api/business-units/bu1/applications", new
        {
            kind = "internal", vendorName = "V", applicationName = "A", scopes = new[] { "Admin" },
        });

        var problem = await response.ExpectProblemAsync(HttpStatusCode.ServiceUnavailable);
        Assert.Contains("storage", problem.GetProperty("detail").GetString(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task The_openapi_document_is_anonymous_and_describes_every_route()
    {
        await app.ReadyAsync();
        using var client = app.CreateClient();

        var document = await (await client.GetAsync("/api/openapi.json")).ExpectAsync(HttpStatusCode.OK);

        Assert.StartsWith("3.", document.GetProperty("openapi").GetString());
        var paths = document.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        Assert.Contains("/api/scopes", paths);
        Assert.Contains("/api/external-applications", paths);
        Assert.Contains("/api/business-units/{bu}/applications", paths);
        Assert.Contains("/api/business-units/{bu}/applications/{id}", paths);
        Assert.Contains("/api/business-units/{bu}/applications/{id}/scopes/{scope}", paths);
        Assert.Contains("/api/health", paths);
        var createSecret = document.GetProperty("paths").GetProperty("/api/business-units/{bu}/applications/{id}/secrets").GetProperty("post");
        Assert.Contains("the `ETag` is the application's", createSecret.GetProperty("description").GetString(), StringComparison.Ordinal);
        var deleteApplication = document.GetProperty("paths").GetProperty("/api/business-units/{bu}/applications/{id}").GetProperty("delete");
        Assert.Contains("takes no `If-Match`", deleteApplication.GetProperty("description").GetString(), StringComparison.Ordinal);
        Assert.True(deleteApplication.GetProperty("responses").TryGetProperty("409", out _));
    }

    [Fact]
    public void The_api_serializes_through_generated_code_alone_as_the_trimmed_package_does()
    {
        var options = app.Services.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;

        Assert.NotNull(options.GetTypeInfo(typeof(CreatedApplicationResponse)));
        Assert.NotNull(options.GetTypeInfo(typeof(HttpValidationProblemDetails)));
        // No reflection fallback: a type missing from ApiJsonContext fails here as it would in the package.
        Assert.Throws<NotSupportedException>(() => options.GetTypeInfo(typeof(HealthAndDescriptionTests)));
    }
}
