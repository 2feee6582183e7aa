using Azure.Core;
using ServerlessCreds.Adapters.Storage;

namespace ServerlessCreds.Adapters.Tests.Storage;

public sealed class StorageAccountTests
{
    private const string Key = "c2VjcmV0LWtleS1ieXRlcy10aGF0LW11c3Qtc3RheS1oaWRkZW4tMDEyMzQ1Njc4OQ==";

    [Theory]
    [InlineData("UseDevelopmentStorage=true")]
    [InlineData("usedevelopmentstorage=True;")]
    public void Development_storage_points_at_the_default_azurite_ports(string connectionString)
    {
        var account = StorageAccount.Parse(connectionString);

        Assert.Equal(new Uri("http://127.0.0.1:10002/devstoreaccount1"), account.TableServiceUri);
        Assert.Equal(new Uri("http://127.0.0.1:10001/devstoreaccount1"), account.QueueServiceUri);
    }

    [Fact]
    public void Explicit_endpoints_are_used_as_given_without_a_trailing_slash()
    {
        var account = StorageAccount.Parse(
            $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={Key};" +
            "TableEndpoint=http://127.0.0.1:5002/devstoreaccount1/;QueueEndpoint=http://127.0.0.1:5001/devstoreaccount1;BlobEndpoint=http://127.0.0.1:5000/devstoreaccount1");

        Assert.Equal("http://127.0.0.1:5002/devstoreaccount1", account.TableServiceUri.AbsoluteUri);
        Assert.Equal("http://127.0.0.1:5001/devstoreaccount1", account.QueueServiceUri.AbsoluteUri);
    }

    [Fact]
    public void Missing_endpoints_are_derived_from_account_name_protocol_and_suffix()
    {
        var account = StorageAccount.Parse($"DefaultEndpointsProtocol=https;AccountName=credsprod;AccountKey={Key};EndpointSuffix=core.chinacloudapi.cn");
        var defaults = StorageAccount.Parse($"AccountName=credsprod;AccountKey={Key}");

        Assert.Equal(new Uri("https://credsprod.table.core.chinacloudapi.cn"), account.TableServiceUri);
        Assert.Equal(new Uri("https://credsprod.queue.core.chinacloudapi.cn"), account.QueueServiceUri);
        Assert.Equal(new Uri("https://credsprod.table.core.windows.net"), defaults.TableServiceUri);
        Assert.Equal(new Uri("https://credsprod.queue.core.windows.net"), defaults.QueueServiceUri);
    }

    [Theory]
    [InlineData("AccountName=credsprod", "AccountKey")]
    [InlineData("AccountKey=" + Key, "AccountName")]
    [InlineData("AccountName=credsprod;AccountKey=not*base64", "AccountKey")]
    [InlineData("AccountName=credsprod;AccountKey=" + Key + ";TableEndpoint=ftp://x", "TableEndpoint")]
    [InlineData("AccountName=credsprod;AccountKey=" + Key + ";SharedAccessSignature=sv=1", "SharedAccessSignature")]
    [InlineData("AccountName=credsprod;AccountKey=" + Key + ";garbage", "name=value")]
    public void Invalid_connection_strings_name_the_problem_without_echoing_the_key(string connectionString, string expected)
    {
        var error = Assert.Throws<FormatException>(() => StorageAccount.Parse(connectionString));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Key, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("not*base64", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ToString_describes_the_account_without_the_key()
    {
        var account = StorageAccount.Parse($"AccountName=credsprod;AccountKey={Key}");

        var text = account.ToString();

        Assert.Contains("https://credsprod.table.core.windows.net", text, StringComparison.Ordinal);
        Assert.DoesNotContain(Key, text, StringComparison.Ordinal);
        Assert.DoesNotContain(Key[..20], text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_token_credential_account_uses_the_given_service_uris()
    {
        var account = new StorageAccount(new Uri("https://credsprod.table.core.windows.net/"), new Uri("https://credsprod.queue.core.windows.net"), new FixedTokenCredential());

        Assert.Equal("https://credsprod.table.core.windows.net/", account.TableServiceUri.AbsoluteUri);
        Assert.Contains("token credential", account.ToString(), StringComparison.Ordinal);
        Assert.NotNull(account.CreateTablePipeline());
    }

    private sealed class FixedTokenCredential : TokenCredential
    {
        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            new("token", DateTimeOffset.UtcNow.AddHours(1));

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            ValueTask.FromResult(GetToken(requestContext, cancellationToken));
    }
}
