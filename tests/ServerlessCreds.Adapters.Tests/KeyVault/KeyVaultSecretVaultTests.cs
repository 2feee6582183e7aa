using ServerlessCreds.Adapters.KeyVault;
using ServerlessCreds.Common;
using ServerlessCreds.Credentials;
using ServerlessCreds.Testing.KeyVault;

namespace ServerlessCreds.Adapters.Tests.KeyVault;

public sealed class KeyVaultSecretVaultTests
{
    private static readonly DateTimeOffset ExpiresAt = new(2031, 5, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Store_answers_the_challenge_then_puts_the_value_with_tags_content_type_and_expiry()
    {
        await using var server = await KeyVaultTestServer.StartNewAsync();
        var credential = server.CreateCredential();
        var vault = CreateVault(server, credential);
        var locator = NewLocator("retail_eu");
        var value = ClientSecretGenerator.Generate();

        var stored = await vault.StoreAsync(locator, value, ExpiresAt, CancellationToken.None);

        Assert.Equal(locator.VaultName, stored.Name);
        Assert.Equal(32, stored.Version.Length);
        Assert.Collection(
            server.Requests,
            challenge => Assert.Equal(new VaultRequest("PUT", $"/secrets/{locator.VaultName}", HadAuthorization: false, HadBody: false, 401), challenge),
            put => Assert.Equal(new VaultRequest("PUT", $"/secrets/{locator.VaultName}", HadAuthorization: true, HadBody: true, 200), put));
        var secret = Assert.Single(server.Secrets);
        Assert.Equal(value, secret.Value);
        Assert.Equal(stored.Version, secret.Version);
        Assert.True(secret.Enabled);
        Assert.Equal("text/plain", secret.ContentType);
        Assert.Equal(ExpiresAt, secret.ExpiresOn);
        Assert.Equal(
            new Dictionary<string, string> { ["businessUnit"] = "retail_eu", ["applicationId"] = locator.ApplicationId, ["secretId"] = locator.SecretId },
            secret.Tags);
        var token = Assert.Single(credential.Requests);
        Assert.Equal([KeyVaultTestServer.Scope], token.Scopes);
        Assert.Equal(server.TenantId, token.TenantId);
    }

    [Fact]
    public async Task Read_returns_the_stored_value()
    {
        await using var server = await KeyVaultTestServer.StartNewAsync();
        var vault = CreateVault(server);
        var value = ClientSecretGenerator.Generate();
        var stored = await vault.StoreAsync(NewLocator(), value, ExpiresAt, CancellationToken.None);

        var read = await vault.ReadAsync(stored, CancellationToken.None);

        Assert.Equal(value, read);
    }

    [Fact]
    public async Task Read_of_an_unknown_secret_or_version_returns_null()
    {
        await using var server = await KeyVaultTestServer.StartNewAsync();
        var vault = CreateVault(server);
        var stored = await vault.StoreAsync(NewLocator(), ClientSecretGenerator.Generate(), ExpiresAt, CancellationToken.None);

        Assert.Null(await vault.ReadAsync(new VaultSecretVersion(NewLocator().VaultName, stored.Version), CancellationToken.None));
        Assert.Null(await vault.ReadAsync(stored with { Version = Ids.NewRandom() }, CancellationToken.None));
    }

    [Fact]
    public async Task Disable_makes_read_return_null_and_leaves_the_version_disabled_in_the_vault()
    {
        await using var server = await KeyVaultTestServer.StartNewAsync();
        var vault = CreateVault(server);
        var locator = NewLocator("retail");
        var stored = await vault.StoreAsync(locator, ClientSecretGenerator.Generate(), ExpiresAt, CancellationToken.None);

        await vault.DisableAsync(stored, CancellationToken.None);

        Assert.Null(await vault.ReadAsync(stored, CancellationToken.None));
        var secret = server.FindSecret(stored.Name, stored.Version);
        Assert.NotNull(secret);
        Assert.False(secret.Enabled);
        Assert.Equal("retail", secret.Tags["businessUnit"]);
        Assert.Equal(ExpiresAt, secret.ExpiresOn);
        Assert.Contains(server.Requests, r => r is { Method: "PATCH", Status: 200 } && r.Path == $"/secrets/{stored.Name}/{stored.Version}");
    }

    [Fact]
    public async Task Disable_is_idempotent_and_accepts_a_missing_version()
    {
        await using var server = await KeyVaultTestServer.StartNewAsync();
        var vault = CreateVault(server);
        var stored = await vault.StoreAsync(NewLocator(), ClientSecretGenerator.Generate(), ExpiresAt, CancellationToken.None);

        await vault.DisableAsync(stored, CancellationToken.None);
        await vault.DisableAsync(stored, CancellationToken.None);
        await vault.DisableAsync(new VaultSecretVersion(NewLocator().VaultName, Ids.NewRandom()), CancellationToken.None);

        Assert.False(server.FindSecret(stored.Name, stored.Version)!.Enabled);
    }

    [Fact]
    public async Task Rotation_keeps_the_old_and_new_secrets_readable()
    {
        await using var server = await KeyVaultTestServer.StartNewAsync();
        var vault = CreateVault(server);
        var applicationId = Ids.New();
        var oldValue = ClientSecretGenerator.Generate();
        var newValue = ClientSecretGenerator.Generate();

        var old = await vault.StoreAsync(new SecretLocator("retail", applicationId, Ids.New()), oldValue, ExpiresAt, CancellationToken.None);
        var rotated = await vault.StoreAsync(new SecretLocator("retail", applicationId, Ids.New()), newValue, ExpiresAt, CancellationToken.None);

        Assert.NotEqual(old.Name, rotated.Name);
        Assert.Equal(oldValue, await vault.ReadAsync(old, CancellationToken.None));
        Assert.Equal(newValue, await vault.ReadAsync(rotated, CancellationToken.None));
        Assert.Equal(2, server.Secrets.Count);
    }

    [Fact]
    public async Task Storing_the_same_locator_twice_creates_two_readable_versions()
    {
        await using var server = await KeyVaultTestServer.StartNewAsync();
        var vault = CreateVault(server);
        var locator = NewLocator();

        var first = await vault.StoreAsync(locator, "first-value-0000000000000000000000000000", ExpiresAt, CancellationToken.None);
        var second = await vault.StoreAsync(locator, "second-value-000000000000000000000000000", ExpiresAt, CancellationToken.None);

        Assert.Equal(first.Name, second.Name);
        Assert.NotEqual(first.Version, second.Version);
        Assert.Equal("first-value-0000000000000000000000000000", await vault.ReadAsync(first, CancellationToken.None));
        Assert.Equal("second-value-000000000000000000000000000", await vault.ReadAsync(second, CancellationToken.None));
    }

    [Theory]
    [InlineData(503)]
    [InlineData(500)]
    public async Task A_few_server_errors_are_retried_and_the_store_succeeds(int status)
    {
        await using var server = await KeyVaultTestServer.StartNewAsync();
        var vault = CreateVault(server);
        var value = ClientSecretGenerator.Generate();
        server.FailNext(2, status);

        var stored = await vault.StoreAsync(NewLocator(), value, ExpiresAt, CancellationToken.None);

        Assert.Equal(value, server.FindSecret(stored.Name, stored.Version)!.Value);
        Assert.Equal(2, server.Requests.Count(r => r.Status == status));
    }

    [Fact]
    public async Task Throttling_is_retried_after_the_retry_after_delay()
    {
        await using var server = await KeyVaultTestServer.StartNewAsync();
        var vault = CreateVault(server);
        var stored = await vault.StoreAsync(NewLocator(), ClientSecretGenerator.Generate(), ExpiresAt, CancellationToken.None);
        server.FailNext(1, 429, retryAfter: TimeSpan.FromSeconds(1));
        var started = TimeProvider.System.GetTimestamp();

        var read = await vault.ReadAsync(stored, CancellationToken.None);

        Assert.NotNull(read);
        Assert.True(TimeProvider.System.GetElapsedTime(started) >= TimeSpan.FromSeconds(0.9), "the retry did not wait for Retry-After");
    }

    [Fact]
    public async Task Persistent_server_errors_throw_dependency_unavailable_without_the_value()
    {
        await using var server = await KeyVaultTestServer.StartNewAsync();
        var vault = CreateVault(server);
        var value = ClientSecretGenerator.Generate();
        server.FailNext(100, 503);

        var exception = await Assert.ThrowsAsync<DependencyUnavailableException>(
            () => vault.StoreAsync(NewLocator(), value, ExpiresAt, CancellationToken.None));

        Assert.Equal("key vault", exception.Dependency);
        Assert.DoesNotContain(value, exception.ToString(), StringComparison.Ordinal);
        Assert.Equal(5, server.Requests.Count);
        Assert.Empty(server.Secrets);
    }

    [Fact]
    public async Task Dropped_connections_throw_dependency_unavailable_without_the_value()
    {
        await using var server = await KeyVaultTestServer.StartNewAsync();
        var vault = CreateVault(server);
        var value = ClientSecretGenerator.Generate();
        var stored = await vault.StoreAsync(NewLocator(), value, ExpiresAt, CancellationToken.None);
        server.DropNextConnections(100);

        var storeFailure = await Assert.ThrowsAsync<DependencyUnavailableException>(
            () => vault.StoreAsync(NewLocator(), value, ExpiresAt, CancellationToken.None));
        var readFailure = await Assert.ThrowsAsync<DependencyUnavailableException>(
            () => vault.ReadAsync(stored, CancellationToken.None));

        Assert.DoesNotContain(value, storeFailure.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(value, readFailure.ToString(), StringComparison.Ordinal);
        Assert.Contains(server.Requests, r => r.Status == 0);
    }

    [Fact]
    public async Task A_stopped_vault_throws_dependency_unavailable_and_works_again_once_started()
    {
        await using var server = await KeyVaultTestServer.StartNewAsync();
        var vault = CreateVault(server);
        var value = ClientSecretGenerator.Generate();
        var stored = await vault.StoreAsync(NewLocator(), value, ExpiresAt, CancellationToken.None);
        await server.StopAsync();

        var storeFailure = await Assert.ThrowsAsync<DependencyUnavailableException>(
            () => vault.StoreAsync(NewLocator(), value, ExpiresAt, CancellationToken.None));
        await Assert.ThrowsAsync<DependencyUnavailableException>(() => vault.ReadAsync(stored, CancellationToken.None));
        await Assert.ThrowsAsync<DependencyUnavailableException>(() => vault.DisableAsync(stored, CancellationToken.None));
        Assert.DoesNotContain(value, storeFailure.ToString(), StringComparison.Ordinal);

        await server.StartAsync();

        Assert.Equal(value, await vault.ReadAsync(stored, CancellationToken.None));
    }

    [Fact]
    public async Task Access_denied_is_reported_as_unavailable_not_as_a_missing_secret()
    {
        await using var server = await KeyVaultTestServer.StartNewAsync();
        var vault = CreateVault(server);
        var stored = await vault.StoreAsync(NewLocator(), ClientSecretGenerator.Generate(), ExpiresAt, CancellationToken.None);
        server.FailNext(1, 403);

        await Assert.ThrowsAsync<DependencyUnavailableException>(() => vault.ReadAsync(stored, CancellationToken.None));
    }

    [Fact]
    public async Task Tokens_from_another_vault_are_refused_and_reported_as_unavailable()
    {
        await using var server = await KeyVaultTestServer.StartNewAsync();
        await using var otherServer = await KeyVaultTestServer.StartNewAsync();
        var vault = CreateVault(server, otherServer.CreateCredential());
        var value = ClientSecretGenerator.Generate();

        var exception = await Assert.ThrowsAsync<DependencyUnavailableException>(
            () => vault.StoreAsync(NewLocator(), value, ExpiresAt, CancellationToken.None));

        Assert.DoesNotContain(value, exception.ToString(), StringComparison.Ordinal);
        Assert.All(server.Requests, r => Assert.Equal(401, r.Status));
        Assert.Empty(server.Secrets);
    }

    private static KeyVaultSecretVault CreateVault(KeyVaultTestServer server, TestTokenCredential? credential = null)
    {
        var options = server.Configure(KeyVaultSecretVault.CreateClientOptions());
        // Production retry count and mode, with short back-off so failing tests stay fast.
        options.Retry.Delay = TimeSpan.FromMilliseconds(10);
        options.Retry.MaxDelay = TimeSpan.FromMilliseconds(100);
        return new KeyVaultSecretVault(server.VaultUri, credential ?? server.CreateCredential(), options);
    }

    private static SecretLocator NewLocator(string businessUnit = "retail") => new(businessUnit, Ids.New(), Ids.New());
}
