using System.Net;
using System.Text.Json;
using ServerlessCreds.Adapters.KeyVault;
using ServerlessCreds.Common;
using ServerlessCreds.Credentials;
using ServerlessCreds.Testing.KeyVault;

namespace ServerlessCreds.Adapters.Tests.KeyVault;

// Azure.Identity finds the managed identity endpoint in process-wide environment variables, so these tests run alone.
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessEnvironment
{
    public const string Name = "Process environment";
}

[Collection(ProcessEnvironment.Name)]
public sealed class ManagedIdentityEndpointTests
{
    [Fact]
    public async Task The_adapters_credential_reaches_the_vault_with_the_app_service_managed_identity()
    {
        await using var server = await KeyVaultTestServer.StartNewAsync();
        await using var identity = await server.StartManagedIdentityEndpointAsync();
        using var environment = new EnvironmentVariables(identity.EnvironmentVariables);
        // As AddKeyVaultSecretVault builds it; the client options are the test server's, as this process cannot use its vault.azure.net name.
        var credential = AzureAdapters.Credential(identity.ClientId);
        var vault = new KeyVaultSecretVault(server.VaultUri, credential, server.Configure(KeyVaultSecretVault.CreateClientOptions()));

        var stored = await vault.StoreAsync(new SecretLocator("retail", Ids.New(), Ids.New()), "value", DateTimeOffset.UtcNow.AddDays(1), CancellationToken.None);
        var read = await vault.ReadAsync(stored, CancellationToken.None);

        Assert.Equal("value", read);
        Assert.Equal([new ManagedIdentityTokenRequest("https://vault.azure.net", identity.ClientId, 200)], identity.Requests);
    }

    [Theory]
    [InlineData("wrong header", "api-version=2019-08-01&resource=https://vault.azure.net&client_id={clientId}", HttpStatusCode.Unauthorized)]
    [InlineData(null, "api-version=2019-08-01&resource=https://vault.azure.net&client_id={clientId}", HttpStatusCode.Unauthorized)]
    [InlineData("{header}", "api-version=2017-09-01&resource=https://vault.azure.net&client_id={clientId}", HttpStatusCode.BadRequest)]
    [InlineData("{header}", "api-version=2019-08-01&client_id={clientId}", HttpStatusCode.BadRequest)]
    [InlineData("{header}", "api-version=2019-08-01&resource=https://vault.azure.net", HttpStatusCode.BadRequest)]
    [InlineData("{header}", "api-version=2019-08-01&resource=https://vault.azure.net&client_id=00000000-0000-0000-0000-000000000001", HttpStatusCode.BadRequest)]
    [InlineData("{header}", "api-version=2019-08-01&resource=https://vault.azure.net&client_id={clientId}&mi_res_id=/subscriptions/x", HttpStatusCode.BadRequest)]
    public async Task Token_requests_without_the_header_parameters_or_identity_are_refused(string? header, string query, HttpStatusCode expected)
    {
        await using var server = await KeyVaultTestServer.StartNewAsync();
        await using var identity = await server.StartManagedIdentityEndpointAsync();
        using var client = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{identity.Endpoint}?{query.Replace("{clientId}", identity.ClientId, StringComparison.Ordinal)}");
        if (header is not null)
        {
            request.Headers.Add("X-IDENTITY-HEADER", header.Replace("{header}", identity.Header, StringComparison.Ordinal));
        }

        using var response = await client.SendAsync(request);

        Assert.Equal(expected, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal((int)expected, body.RootElement.GetProperty("statusCode").GetInt32());
        Assert.False(body.RootElement.TryGetProperty("access_token", out _));
        Assert.Equal((int)expected, Assert.Single(identity.Requests).Status);
    }

    // Sets variables for the test's duration and puts back what was there.
    private sealed class EnvironmentVariables : IDisposable
    {
        private readonly Dictionary<string, string?> _previous;

        public EnvironmentVariables(IReadOnlyDictionary<string, string> variables)
        {
            _previous = variables.Keys.ToDictionary(name => name, Environment.GetEnvironmentVariable);
            foreach (var (name, value) in variables)
            {
                Environment.SetEnvironmentVariable(name, value);
            }
        }

        public void Dispose()
        {
            foreach (var (name, value) in _previous)
            {
                Environment.SetEnvironmentVariable(name, value);
            }
        }
    }
}
