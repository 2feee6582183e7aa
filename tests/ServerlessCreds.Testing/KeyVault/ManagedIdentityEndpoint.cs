using System.Globalization;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace ServerlessCreds.Testing.KeyVault;

/// <summary>A token request the <see cref="ManagedIdentityEndpoint"/> answered.</summary>
public sealed record ManagedIdentityTokenRequest(string? Resource, string? ClientId, int Status);

/// <summary>
/// The App Service / Functions managed identity endpoint (protocol 2019-08-01) of an app with one user-assigned identity,
/// on http://127.0.0.1. A process given <see cref="EnvironmentVariables"/> gets tokens from it through Azure.Identity as in
/// Azure; tokens for Key Vault are the ones the <see cref="KeyVaultTestServer"/> that started it accepts. Thread-safe.
/// </summary>
public sealed class ManagedIdentityEndpoint : IAsyncDisposable
{
    public const string ApiVersion = "2019-08-01";

    private const string HeaderName = "X-IDENTITY-HEADER";

    // The ways to name a user-assigned identity; only client_id names this one.
    private static readonly string[] OtherIdentityParameters = ["principal_id", "object_id", "mi_res_id"];

    private readonly WebApplication _app;
    private readonly byte[] _tokenKey;
    private readonly string _tenantId;
    private readonly Lock _lock = new();
    private readonly List<ManagedIdentityTokenRequest> _requests = [];

    private ManagedIdentityEndpoint(WebApplication app, byte[] tokenKey, string tenantId)
    {
        _app = app;
        _tokenKey = tokenKey;
        _tenantId = tenantId;
        app.MapGet("/msi/token", IssueTokenAsync);
    }

    /// <summary>The token URL, <c>IDENTITY_ENDPOINT</c>.</summary>
    public Uri Endpoint => new(_app.Urls.Single().TrimEnd('/') + "/msi/token");

    /// <summary>The value every request must carry in <c>X-IDENTITY-HEADER</c>, <c>IDENTITY_HEADER</c>.</summary>
    public string Header { get; } = Guid.NewGuid().ToString();

    /// <summary>The client id of the app's user-assigned identity; requests must name it (the app has no system-assigned identity).</summary>
    public string ClientId { get; } = Guid.NewGuid().ToString();

    /// <summary>The variables the platform sets for the app's process.</summary>
    public IReadOnlyDictionary<string, string> EnvironmentVariables => new Dictionary<string, string>
    {
        ["IDENTITY_ENDPOINT"] = Endpoint.ToString(),
        ["IDENTITY_HEADER"] = Header,
    };

    /// <summary>Every token request answered so far, in order.</summary>
    public IReadOnlyList<ManagedIdentityTokenRequest> Requests
    {
        get
        {
            lock (_lock)
            {
                return [.. _requests];
            }
        }
    }

    internal static async Task<ManagedIdentityEndpoint> StartAsync(byte[] tokenKey, string tenantId)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var endpoint = new ManagedIdentityEndpoint(builder.Build(), tokenKey, tenantId);
        await endpoint._app.StartAsync();
        return endpoint;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    // The SSRF header first, then the parameters, then the identity, as App Service answers them.
    private async Task IssueTokenAsync(HttpContext context)
    {
        var query = context.Request.Query;
        string? resource = query["resource"];
        string? clientId = query["client_id"];
        var status = 200;
        if (context.Request.Headers[HeaderName] != Header)
        {
            status = 401;
            await WriteErrorAsync(context, status, $"The {HeaderName} header is missing or does not match IDENTITY_HEADER.");
        }
        else if (query["api-version"] != ApiVersion)
        {
            status = 400;
            await WriteErrorAsync(context, status, $"The api-version must be {ApiVersion}.");
        }
        else if (string.IsNullOrEmpty(resource))
        {
            status = 400;
            await WriteErrorAsync(context, status, "The resource query parameter is required.");
        }
        else if (!string.Equals(clientId, ClientId, StringComparison.OrdinalIgnoreCase) || OtherIdentityParameters.Any(query.ContainsKey))
        {
            status = 400;
            await WriteErrorAsync(context, status, "Unable to load the proper Managed Identity.");
        }
        else
        {
            await WriteTokenAsync(context, resource);
        }

        lock (_lock)
        {
            _requests.Add(new ManagedIdentityTokenRequest(resource, clientId, status));
        }
    }

    // The token is for the resource's .default scope in the identity's tenant, as Entra ID would issue it.
    private async Task WriteTokenAsync(HttpContext context, string resource)
    {
        var expiresOn = DateTimeOffset.UtcNow.Add(TestTokenCredential.Lifetime);
        context.Response.ContentType = "application/json; charset=utf-8";
        await using var json = new Utf8JsonWriter(context.Response.Body);
        json.WriteStartObject();
        json.WriteString("access_token", TestTokenCredential.Issue(_tokenKey, resource + "/.default", _tenantId, expiresOn));
        json.WriteString("expires_on", expiresOn.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture));
        json.WriteString("resource", resource);
        json.WriteString("token_type", "Bearer");
        json.WriteString("client_id", ClientId);
        json.WriteEndObject();
        await json.FlushAsync();
    }

    private static async Task WriteErrorAsync(HttpContext context, int status, string message)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        await using var json = new Utf8JsonWriter(context.Response.Body);
        json.WriteStartObject();
        json.WriteNumber("statusCode", status);
        json.WriteString("message", message);
        json.WriteString("correlationId", Guid.NewGuid().ToString());
        json.WriteEndObject();
        await json.FlushAsync();
    }
}
