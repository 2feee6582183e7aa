using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Net.Http.Headers;
using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ServerlessCreds.Callers;
using ServerlessCreds.Host.Authentication;

namespace ServerlessCreds.Host.Tests.Authentication;

/// <summary>An in-memory host with only caller authentication: <c>GET /caller</c> returns the caller as JSON.</summary>
sealed class AuthTestApp : IAsyncDisposable
{
    readonly WebApplication app;

    AuthTestApp(WebApplication app, LogSink logs)
    {
        this.app = app;
        Logs = logs;
        Client = app.GetTestClient();
    }

    public HttpClient Client { get; }

    public IServiceProvider Services => app.Services;

    /// <summary>Every message the host logged, formatted, with exception texts.</summary>
    public LogSink Logs { get; }

    public static async Task<AuthTestApp> StartAsync(
        IDictionary<string, string?> settings, TimeProvider? timeProvider = null, bool addProblemDetails = false)
    {
        var app = Build(settings, timeProvider, addProblemDetails, out var logs);
        await app.StartAsync();
        return new AuthTestApp(app, logs);
    }

    public static WebApplication Build(
        IDictionary<string, string?> settings, TimeProvider? timeProvider, bool addProblemDetails, out LogSink logs)
    {
        var builder = WebApplication.CreateBuilder();

        // Only what the test says: no environment variables (WEBSITE_AUTH_ENABLED...) or appsettings leak in.
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.WebHost.UseTestServer();
        logs = new LogSink();
        builder.Logging.ClearProviders().SetMinimumLevel(LogLevel.Trace).AddProvider(logs);
        if (timeProvider is not null)
        {
            builder.Services.AddSingleton(timeProvider);
        }

        if (addProblemDetails)
        {
            builder.Services.AddProblemDetails();
        }

        builder.Services.AddCallerAuthentication(builder.Configuration);

        var app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapGet("/caller", (ClaimsPrincipal user) => TypedResults.Json(CallerView.From(user.ToCaller()), AuthTestJson.Default.CallerView))
            .RequireAuthorization();
        app.MapGet("/admin", () => TypedResults.NoContent())
            .RequireAuthorization(policy => policy.RequireAssertion(context => context.User.ToCaller().IsPlatformAdmin));
        return app;
    }

    /// <summary>Asserts a 200 from <c>GET /caller</c> for <paramref name="bearerToken"/> and returns the caller.</summary>
    public async Task<CallerView> GetAuthenticatedCallerAsync(string? bearerToken, string? appServicePrincipal = null)
    {
        var response = await GetCallerAsync(bearerToken, appServicePrincipal: appServicePrincipal);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync(AuthTestJson.Default.CallerView))!;
    }

    public Task<HttpResponseMessage> GetCallerAsync(string? bearerToken, string path = "/caller", string? appServicePrincipal = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (bearerToken is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearerToken);
        }

        if (appServicePrincipal is not null)
        {
            request.Headers.Add(AppServicePrincipal.HeaderName, appServicePrincipal);
        }

        return Client.SendAsync(request);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await app.DisposeAsync();
    }
}

sealed record CallerView(string Id, string Name, string[] Roles, string? BusinessUnit)
{
    public static CallerView From(Caller caller) =>
        new(caller.Id, caller.Name, [.. caller.Roles.Order(StringComparer.Ordinal)], caller.BusinessUnit);
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(CallerView))]
sealed partial class AuthTestJson : JsonSerializerContext;

sealed class LogSink : ILoggerProvider
{
    readonly ConcurrentQueue<string> messages = new();

    public IReadOnlyCollection<string> Messages => messages;

    public ILogger CreateLogger(string categoryName) => new Logger(messages);

    public void Dispose()
    {
    }

    sealed class Logger(ConcurrentQueue<string> messages) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            messages.Enqueue($"{formatter(state, exception)} {exception}");
    }
}
