using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ServerlessCreds.Host.Startup;

namespace ServerlessCreds.Host.Tests.Startup;

public sealed class SecretEmailOptionsTests
{
    [Theory]
    [InlineData("PublicBaseUrl", null)]
    [InlineData("PublicBaseUrl", "ftp://creds.example.com")]
    [InlineData("ProductName", "")]
    [InlineData("ProductName", "A product name that is far longer than the sixty characters allowed")]
    public void Invalid_email_settings_stop_the_host_at_start_naming_the_setting(string key, string? value)
    {
        var settings = new Dictionary<string, string?> { ["PublicBaseUrl"] = "https://creds.example.com", [key] = value };
        var failure = Assert.Throws<OptionsValidationException>(() => Validate(settings));

        Assert.Contains(failure.Failures, message => message.Contains(key, StringComparison.Ordinal));
    }

    [Fact]
    public void Valid_email_settings_pass()
    {
        Validate(new Dictionary<string, string?> { ["PublicBaseUrl"] = "https://creds.example.com", ["ProductName"] = "Contoso Credentials" });
    }

    /// <summary>Runs the start-up validator the host runs before anything else starts.</summary>
    static void Validate(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        using var services = new ServiceCollection().AddDomainServices(configuration).BuildServiceProvider();
        services.GetRequiredService<IStartupValidator>().Validate();
    }
}
