using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace ServerlessCreds.Host.Tests.Startup;

public sealed class StartupValidationTests
{
    [Fact]
    public void A_production_start_without_settings_names_every_missing_setting_at_once()
    {
        using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(host => host.UseEnvironment("Production"));

        var failure = Assert.ThrowsAny<Exception>(() => factory.Server);

        var message = failure.ToString();
        Assert.All(["AzureWebJobsStorage", "KeyVault:VaultUri", "Email:", "PublicBaseUrl", "Authentication:Schemes:Bearer"],
            setting => Assert.Contains(setting, message, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("tableServiceUri")]
    [InlineData("queueServiceUri")]
    public void A_malformed_storage_service_uri_stops_the_start_instead_of_falling_back_to_the_account_s_endpoint(string key)
    {
        using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(host => host
            .UseEnvironment("Production")
            .UseSetting("AzureWebJobsStorage:accountName", "stx")
            .UseSetting($"AzureWebJobsStorage:{key}", "not a uri"));

        var failure = Assert.ThrowsAny<Exception>(() => factory.Server);

        Assert.Contains($"AzureWebJobsStorage__{key} must be an absolute URI.", failure.ToString(), StringComparison.Ordinal);
    }
}
