using System.Net;
using System.Text.Json;
using Azure;
using Azure.Security.KeyVault.Secrets;
using ServerlessCreds.Adapters.KeyVault;
using ServerlessCreds.Testing.KeyVault;

namespace ServerlessCreds.Adapters.Tests.KeyVault;

// The fake must behave like Key Vault where SecretClient can tell, or the adapter tests prove nothing.
public sealed class KeyVaultTestServerTests
{
    [Fact]
    public async Task Version_listing_is_paged_by_25_and_follows_next_links()
    {
        await using var server = await KeyVaultTestServer.StartNewAsync();
        var client = CreateClient(server);
        for (var i = 0; i < 30; i++)
        {
            await client.SetSecretAsync("paged", $"value-{i}");
        }

        var versions = new List<string>();
        await foreach (var page in client.GetPropertiesOfSecretVersionsAsync("paged").AsPages())
        {
            Assert.True(page.Values.Count <= 25);
            versions.AddRange(page.Values.Select(v => v.Version));
        }

        Assert.Equal(server.Secrets.Select(s => s.Version), versions);
        Assert.Equal(2, server.Requests.Count(r => r is { Method: "GET", Path: "/secrets/paged/versions", Status: 200 }));
    }

    [Fact]
    public async Task Latest_version_is_read_when_no_version_is_given()
    {
        await using var server = await KeyVaultTestServer.StartNewAsync();
        var client = CreateClient(server);
        await client.SetSecretAsync("latest", "old");
        await client.SetSecretAsync("LATEST", "new");

        KeyVaultSecret secret = await client.GetSecretAsync("latest");

        Assert.Equal("new", secret.Value);
        Assert.Equal(2, await client.GetPropertiesOfSecretVersionsAsync("Latest").CountAsync());
    }

    [Fact]
    public async Task A_deleted_name_is_reserved_until_purged()
    {
        await using var server = await KeyVaultTestServer.StartNewAsync();
        var client = CreateClient(server);
        await client.SetSecretAsync("doomed", "value");

        var operation = await client.StartDeleteSecretAsync("doomed");
        await operation.WaitForCompletionAsync();
        var conflict = await Assert.ThrowsAsync<RequestFailedException>(() => client.SetSecretAsync("doomed", "again"));
        var missing = await Assert.ThrowsAsync<RequestFailedException>(() => client.GetSecretAsync("doomed"));
        DeletedSecret deleted = await client.GetDeletedSecretAsync("doomed");

        Assert.Equal(409, conflict.Status);
        Assert.Contains("ObjectIsDeletedButRecoverable", conflict.Message, StringComparison.Ordinal);
        Assert.Equal(404, missing.Status);
        Assert.Equal("SecretNotFound", missing.ErrorCode);
        Assert.Equal("doomed", deleted.Name);
        Assert.NotNull(deleted.DeletedOn);
        Assert.Equal(["doomed"], server.DeletedSecretNames);
        Assert.Empty(server.Secrets);
    }

    [Fact]
    public async Task Updates_change_only_the_properties_sent()
    {
        await using var server = await KeyVaultTestServer.StartNewAsync();
        var client = CreateClient(server);
        var secret = new KeyVaultSecret("patched", "value") { Properties = { ContentType = "text/plain", Tags = { ["owner"] = "a" } } };
        KeyVaultSecret stored = await client.SetSecretAsync(secret);

        stored.Properties.Tags["owner"] = "b";
        SecretProperties updated = await client.UpdateSecretPropertiesAsync(stored.Properties);

        Assert.Equal("b", updated.Tags["owner"]);
        var held = server.FindSecret("patched", stored.Properties.Version)!;
        Assert.Equal("value", held.Value);
        Assert.Equal("text/plain", held.ContentType);
        Assert.Equal("b", held.Tags["owner"]);
    }

    [Fact]
    public async Task Disabled_versions_answer_403_secret_disabled()
    {
        await using var server = await KeyVaultTestServer.StartNewAsync();
        var client = CreateClient(server);
        KeyVaultSecret stored = await client.SetSecretAsync("off", "value");
        stored.Properties.Enabled = false;
        await client.UpdateSecretPropertiesAsync(stored.Properties);

        var exception = await Assert.ThrowsAsync<RequestFailedException>(() => client.GetSecretAsync("off", stored.Properties.Version));

        Assert.Equal(403, exception.Status);
        Assert.Contains("SecretDisabled", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Requests_without_api_version_or_token_are_refused_in_key_vault_shape()
    {
        await using var server = await KeyVaultTestServer.StartNewAsync();
        using var http = new HttpClient(server.CreateHandler()) { BaseAddress = server.VaultUri };

        using var noVersion = await http.GetAsync(new Uri("secrets/anything", UriKind.Relative));
        using var noToken = await http.GetAsync(new Uri("secrets/anything?api-version=7.5", UriKind.Relative));
        using var badToken = new HttpRequestMessage(HttpMethod.Get, new Uri("secrets/anything?api-version=7.5", UriKind.Relative));
        badToken.Headers.Authorization = new("Bearer", "forged.token");
        using var forged = await http.SendAsync(badToken);

        Assert.Equal(HttpStatusCode.BadRequest, noVersion.StatusCode);
        Assert.Equal("MissingApiVersionParameter", await ErrorCodeAsync(noVersion));
        Assert.Equal(HttpStatusCode.Unauthorized, noToken.StatusCode);
        Assert.Equal(
            $"Bearer authorization=\"https://login.microsoftonline.com/{server.TenantId}\", resource=\"https://vault.azure.net\"",
            noToken.Headers.WwwAuthenticate.ToString());
        Assert.Equal("Unauthorized", await ErrorCodeAsync(noToken));
        Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);
    }

    private static async Task<string?> ErrorCodeAsync(HttpResponseMessage response)
    {
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return body.RootElement.GetProperty("error").GetProperty("code").GetString();
    }

    private static SecretClient CreateClient(KeyVaultTestServer server)
    {
        return new SecretClient(server.VaultUri, server.CreateCredential(), server.Configure(KeyVaultSecretVault.CreateClientOptions()));
    }
}
