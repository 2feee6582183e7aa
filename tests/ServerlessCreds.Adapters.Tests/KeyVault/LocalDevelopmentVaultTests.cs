using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Options;
using ServerlessCreds.Adapters.LocalDevelopment;
using ServerlessCreds.Common;
using ServerlessCreds.Credentials;

namespace ServerlessCreds.Adapters.Tests.KeyVault;

public sealed class LocalDevelopmentVaultTests : IDisposable
{
    private static readonly DateTimeOffset ExpiresAt = new(2031, 5, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly string _vaultPath = Path.Combine(Path.GetTempPath(), "serverlesscreds-tests", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_vaultPath))
        {
            Directory.Delete(_vaultPath, recursive: true);
        }
    }

    [Theory]
    [InlineData("Production")]
    [InlineData("Staging")]
    public void It_refuses_to_run_outside_development(string environmentName)
    {
        var exception = Assert.Throws<InvalidOperationException>(() => CreateVault(environmentName));

        Assert.Contains("Development", exception.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_vaultPath));
    }

    [Fact]
    public void Registration_resolves_only_in_development()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["LocalDevelopment:VaultPath"] = _vaultPath }).Build();
        ServiceProvider Build(string environmentName) => new ServiceCollection()
            .AddSingleton<IHostEnvironment>(new HostingEnvironment { EnvironmentName = environmentName })
            .AddLocalDevelopmentVault(configuration)
            .BuildServiceProvider();
        using var development = Build(Environments.Development);
        using var production = Build(Environments.Production);

        Assert.IsType<LocalDevelopmentVault>(development.GetRequiredService<ISecretVault>());
        Assert.Throws<InvalidOperationException>(() => production.GetRequiredService<ISecretVault>());
    }

    [Fact]
    public async Task Stored_values_read_back_per_version_across_instances()
    {
        var locator = new SecretLocator("retail_eu", Ids.New(), Ids.New());
        var first = ClientSecretGenerator.Generate();
        var second = ClientSecretGenerator.Generate();

        var firstVersion = await CreateVault().StoreAsync(locator, first, ExpiresAt, CancellationToken.None);
        var secondVersion = await CreateVault().StoreAsync(locator, second, ExpiresAt, CancellationToken.None);
        var reader = CreateVault();

        Assert.Equal(locator.VaultName, firstVersion.Name);
        Assert.NotEqual(firstVersion.Version, secondVersion.Version);
        Assert.Equal(first, await reader.ReadAsync(firstVersion, CancellationToken.None));
        Assert.Equal(second, await reader.ReadAsync(secondVersion, CancellationToken.None));
    }

    [Fact]
    public async Task Disabled_and_missing_versions_read_as_null()
    {
        var vault = CreateVault();
        var stored = await vault.StoreAsync(new SecretLocator("retail", Ids.New(), Ids.New()), ClientSecretGenerator.Generate(), ExpiresAt, CancellationToken.None);

        await vault.DisableAsync(stored, CancellationToken.None);
        await vault.DisableAsync(stored, CancellationToken.None);
        await vault.DisableAsync(stored with { Version = Ids.NewRandom() }, CancellationToken.None);

        Assert.Null(await vault.ReadAsync(stored, CancellationToken.None));
        Assert.Null(await vault.ReadAsync(stored with { Version = Ids.NewRandom() }, CancellationToken.None));
        Assert.Null(await vault.ReadAsync(new VaultSecretVersion("../../escape", stored.Version), CancellationToken.None));
    }

    [Fact]
    public async Task No_file_on_disk_contains_the_plain_value()
    {
        var vault = CreateVault();
        var value = ClientSecretGenerator.Generate();

        await vault.StoreAsync(new SecretLocator("retail", Ids.New(), Ids.New()), value, ExpiresAt, CancellationToken.None);

        var files = Directory.GetFiles(_vaultPath, "*", SearchOption.AllDirectories);
        Assert.Contains(files, file => file.EndsWith(".json", StringComparison.Ordinal) && file.Contains("secrets", StringComparison.Ordinal));
        Assert.All(files, file => Assert.DoesNotContain(value, Encoding.UTF8.GetString(File.ReadAllBytes(file)), StringComparison.Ordinal));
    }

    private LocalDevelopmentVault CreateVault(string environmentName = "Development") => new(
        new HostingEnvironment { EnvironmentName = environmentName },
        Options.Create(new LocalDevelopmentOptions { VaultPath = _vaultPath }));
}
