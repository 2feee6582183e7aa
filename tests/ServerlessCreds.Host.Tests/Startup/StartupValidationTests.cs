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
}
