using System.Collections.Concurrent;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using ServerlessCreds.Adapters.Storage;
using ServerlessCreds.Host.Authentication;

namespace ServerlessCreds.Host.Tests.Deployment;

/// <summary>The app, started with exactly the settings infra/modules/functionapp.bicep gives it, has what it needs and uses all of it.</summary>
public sealed class AppSettingsTests
{
    /// <summary>Settings the Bicep sets for the Functions host or the Azure SDK rather than for the app's configuration.</summary>
    static readonly Dictionary<string, string> ReadOutsideTheApp = new(StringComparer.OrdinalIgnoreCase)
    {
        ["AzureWebJobsStorage__credential"] = "the Functions host: identity-based host storage",
        ["AzureWebJobsStorage__blobServiceUri"] = "the Functions host: its leases and keys live in blobs",
        ["APPLICATIONINSIGHTS_CONNECTION_STRING"] = "the Functions host: telemetry",
        ["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"] = "the Functions host: telemetry ingestion with Entra ID",
        ["AZURE_CLIENT_ID"] = "Azure.Identity: DefaultAzureCredential reads it from the environment",
    };

    [Fact]
    public async Task The_app_passes_validation_at_start_in_production_with_only_the_bicep_settings()
    {
        var settings = FunctionAppSettings.WithSampleValues();
        await using var app = new BicepConfiguredApplication(settings);

        // Every options class validates on start, so a missing or malformed setting throws here, naming the key.
        var storage = app.Services.GetRequiredService<StorageAccount>();

        // Identity-based storage uses the service URIs the Bicep passes, not ones guessed from the account name.
        Assert.Equal(new Uri(settings["AzureWebJobsStorage__tableServiceUri"]), storage.TableServiceUri);
        Assert.Equal(new Uri(settings["AzureWebJobsStorage__queueServiceUri"]), storage.QueueServiceUri);
    }

    [Fact]
    public async Task Every_bicep_setting_is_read_by_the_app_or_by_the_platform()
    {
        var names = FunctionAppSettings.Entries().Select(e => e.Name).ToList();
        Assert.Equal(names.Count, names.Distinct(StringComparer.OrdinalIgnoreCase).Count());
        var settings = FunctionAppSettings.WithSampleValues();
        await using var app = new BicepConfiguredApplication(settings);
        _ = app.Services;

        var readByApp = settings.Keys.Where(app.WasRead).ToList();
        // Read while Program registers services, before reads can be recorded; its effect shows instead.
        Assert.True(app.Services.GetRequiredService<AppServicePrincipal>().Trusted);
        readByApp.Add("Authentication__AppServicePrincipal__Enabled");

        Assert.Empty(settings.Keys.Except(readByApp, StringComparer.OrdinalIgnoreCase).Except(ReadOutsideTheApp.Keys, StringComparer.OrdinalIgnoreCase));
        Assert.Empty(ReadOutsideTheApp.Keys.Except(settings.Keys, StringComparer.OrdinalIgnoreCase));
        Assert.Empty(ReadOutsideTheApp.Keys.Intersect(readByApp, StringComparer.OrdinalIgnoreCase));
    }

    /// <summary>
    /// The host in Production under the Functions host (with Easy Auth on, as the platform says in WEBSITE_AUTH_ENABLED),
    /// configured with the given app settings only, which a source records reads of once the app is built.
    /// </summary>
    sealed class BicepConfiguredApplication : WebApplicationFactory<Program>
    {
        readonly Dictionary<string, string?> configuration;
        readonly ReadTrackingSource tracking;

        public BicepConfiguredApplication(IReadOnlyDictionary<string, string> appSettings)
        {
            configuration = appSettings
                .Append(new("FUNCTIONS_CUSTOMHANDLER_PORT", "7071"))
                .Append(new("WEBSITE_AUTH_ENABLED", "true"))
                .ToDictionary(s => s.Key.Replace("__", ":", StringComparison.Ordinal), s => (string?)s.Value, StringComparer.OrdinalIgnoreCase);
            tracking = new ReadTrackingSource(configuration);
        }

        public bool WasRead(string appSetting) => tracking.Read.ContainsKey(appSetting.Replace("__", ":", StringComparison.Ordinal));

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment(Environments.Production);
            // Added as the app is built, after Program registered its services: it sees what options read at start and later.
            builder.ConfigureAppConfiguration(config => config.Add(tracking));
        }

        protected override IHost CreateHost(IHostBuilder builder)
        {
            // Visible while Program registers services, as app settings are in Azure.
            builder.ConfigureHostConfiguration(config => config.AddInMemoryCollection(configuration));
            return base.CreateHost(builder);
        }
    }

    sealed class ReadTrackingSource(Dictionary<string, string?> settings) : IConfigurationSource
    {
        public Dictionary<string, string?> Settings { get; } = settings;

        public ConcurrentDictionary<string, bool> Read { get; } = new(StringComparer.OrdinalIgnoreCase);

        public IConfigurationProvider Build(IConfigurationBuilder builder) => new Provider(this);

        sealed class Provider(ReadTrackingSource source) : ConfigurationProvider
        {
            public override void Load() => Data = new Dictionary<string, string?>(source.Settings, StringComparer.OrdinalIgnoreCase);

            public override bool TryGet(string key, out string? value)
            {
                if (!base.TryGet(key, out value))
                {
                    return false;
                }

                source.Read[key] = true;
                return true;
            }
        }
    }
}
