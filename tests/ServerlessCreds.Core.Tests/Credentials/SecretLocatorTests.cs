using System.Text.RegularExpressions;
using ServerlessCreds.Common;
using ServerlessCreds.Credentials;

namespace ServerlessCreds.Core.Tests.Credentials;

public sealed class SecretLocatorTests
{
    [Fact]
    public void Vault_name_is_a_valid_key_vault_secret_name_for_the_longest_ids()
    {
        var locator = new SecretLocator("Retail_EU-01", new string('a', 50), new string('9', 50));

        Assert.Matches(new Regex(@"^[0-9a-zA-Z-]{1,127}\z"), locator.VaultName);
    }

    [Fact]
    public void Vault_name_is_derived_from_the_application_and_secret_ids()
    {
        var applicationId = Ids.New();
        var secretId = Ids.New();

        var first = new SecretLocator("retail_eu", applicationId, secretId);
        var second = new SecretLocator("retail_eu", applicationId, secretId);
        var otherSecret = new SecretLocator("retail_eu", applicationId, Ids.New());

        Assert.Equal($"client-secret-{applicationId}-{secretId}", first.VaultName);
        Assert.Equal(first.VaultName, second.VaultName);
        Assert.NotEqual(first.VaultName, otherSecret.VaultName);
    }

    [Theory]
    [InlineData("_retail", "app1", "secret1")]
    [InlineData("retail", "App1", "secret1")]
    [InlineData("retail", "app-1", "secret1")]
    [InlineData("retail", "app1", "")]
    [InlineData("retail", "app1", "secret_1")]
    public void Invalid_parts_are_rejected(string businessUnit, string applicationId, string secretId)
    {
        Assert.Throws<ArgumentException>(() => new SecretLocator(businessUnit, applicationId, secretId));
    }

    [Fact]
    public void Ids_longer_than_50_characters_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => new SecretLocator("retail", new string('a', 51), "secret1"));
    }
}
