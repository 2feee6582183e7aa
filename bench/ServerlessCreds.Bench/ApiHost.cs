using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using ServerlessCreds.Credentials;

namespace ServerlessCreds.Bench;

/// <summary>
/// The real host in this process (so its outgoing calls can be recorded), in Production. With a port it listens on
/// Kestrel as under the Functions host (no standalone queue listeners); without one it runs standalone on a TestServer,
/// listeners included.
/// </summary>
sealed class ApiHost : WebApplicationFactory<Program>
{
    readonly Dependencies dependencies;
    readonly Dictionary<string, string?> settings;

    public ApiHost(Dependencies dependencies, int? port, IReadOnlyDictionary<string, string?>? extra = null)
    {
        this.dependencies = dependencies;
        // The bench runs from its own output folder, outside the solution layout the factory otherwise searches.
        Environment.SetEnvironmentVariable("ASPNETCORE_TEST_CONTENTROOT_SERVERLESSCREDS_HOST", AppContext.BaseDirectory);
        settings = dependencies.Settings();
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        if (port is { } p)
        {
            settings["FUNCTIONS_CUSTOMHANDLER_PORT"] = p.ToString(System.Globalization.CultureInfo.InvariantCulture);
            UseKestrel(p);
            Address = new Uri($"http://127.0.0.1:{p}/");
        }
    }

    /// <summary>Answered ahead of the whole middleware pipeline: the bare HTTP hop (HttpClient and Kestrel) every endpoint pays.</summary>
    public const string HttpHopPath = "/bench/http-hop";

    public Uri? Address { get; }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");
        builder.ConfigureAppConfiguration((_, config) => config.AddInMemoryCollection(settings));
        builder.ConfigureTestServices(services =>
        {
            services.AddSingleton<ISecretVault>(dependencies.SecretVault());
            services.AddSingleton<IStartupFilter, HttpHopEndpoint>();
        });
    }

    protected override IHost CreateHost(IHostBuilder builder)
    {
        builder.ConfigureHostConfiguration(config => config.AddInMemoryCollection(settings));
        return base.CreateHost(builder);
    }
}

sealed class HttpHopEndpoint : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Map(ApiHost.HttpHopPath, hop => hop.Run(context => context.Response.WriteAsync("ok")));
        next(app);
    };
}
