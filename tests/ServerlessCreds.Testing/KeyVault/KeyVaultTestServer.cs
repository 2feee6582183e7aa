using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Azure.Core.Pipeline;
using Azure.Security.KeyVault.Secrets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;

namespace ServerlessCreds.Testing.KeyVault;

/// <summary>
/// A Key Vault stand-in for tests: HTTPS on 127.0.0.1 with a self-signed certificate, challenge-based bearer auth,
/// and the secrets REST calls <c>SecretClient</c> makes (set, get, update, list versions, delete, get deleted).
/// Tokens come from <see cref="CreateCredential"/>; the client's options go through <see cref="Configure"/> to trust the server.
/// Faults (<see cref="FailNext"/>, <see cref="DropNextConnections"/>, <see cref="StopAsync"/>) are injected on the wire.
/// All members are thread-safe.
/// </summary>
public sealed partial class KeyVaultTestServer : IAsyncDisposable
{
    /// <summary>The only token scope the server accepts, as Key Vault's challenge implies.</summary>
    public const string Scope = "https://vault.azure.net/.default";

    /// <summary>The vault's name under Key Vault's domain, on the server certificate; processes reach it through <see cref="StartProcessAccessAsync"/>.</summary>
    public const string HostName = "kv-test.vault.azure.net";

    private const string Resource = "https://vault.azure.net";

    // SecretClient caches challenges per host:port for the whole process, so every server gets a port no earlier server
    // had: its first request then really is unauthenticated and challenged.
    private static readonly ConcurrentDictionary<int, bool> PortsHandedOut = new();

    private readonly Lock _lock = new();
    private readonly byte[] _tokenKey = RandomNumberGenerator.GetBytes(32);
    private readonly X509Certificate2 _certificate = SelfSignedCertificate.CreateForLoopback(HostName);
    private readonly List<VaultRequest> _requests = [];
    private readonly SemaphoreSlim _lifecycle = new(1, 1);
    private WebApplication? _app;
    private int _port;
    private int _connectionsToDrop;
    private int _failuresLeft;
    private int _failureStatus;
    private TimeSpan? _failureRetryAfter;

    private KeyVaultTestServer()
    {
    }

    /// <summary>The vault URI to give <c>SecretClient</c>; the port stays the same across <see cref="StopAsync"/>/<see cref="StartAsync"/>.</summary>
    public Uri VaultUri => new($"https://127.0.0.1:{_port.ToString(CultureInfo.InvariantCulture)}/");

    /// <summary>The tenant named in the authentication challenge; tokens must be issued for it.</summary>
    public string TenantId { get; } = Guid.NewGuid().ToString();

    /// <summary>The server certificate (public part only).</summary>
    public X509Certificate2 Certificate => X509CertificateLoader.LoadCertificate(_certificate.RawData);

    /// <summary>Every request received so far, in completion order.</summary>
    public IReadOnlyList<VaultRequest> Requests
    {
        get
        {
            lock (_lock)
            {
                return [.. _requests];
            }
        }
    }

    public static async Task<KeyVaultTestServer> StartNewAsync()
    {
        var server = new KeyVaultTestServer();
        await server.StartAsync();
        return server;
    }

    /// <summary>A credential whose tokens this server accepts; it records the scopes and tenants it was asked for.</summary>
    public TestTokenCredential CreateCredential() => new(_tokenKey);

    /// <summary>Starts an App Service managed identity endpoint whose Key Vault tokens this server accepts.</summary>
    public Task<ManagedIdentityEndpoint> StartManagedIdentityEndpointAsync() => ManagedIdentityEndpoint.StartAsync(_tokenKey, TenantId);

    /// <summary>Starts what a separate process needs to reach this server as an app in Azure reaches its vault; see <see cref="VaultProcessAccess"/>.</summary>
    public async Task<VaultProcessAccess> StartProcessAccessAsync() =>
        new(await StartManagedIdentityEndpointAsync(), HostNameProxy.Start(HostName, _port), _certificate.ExportCertificatePem());

    /// <summary>An HTTP handler that trusts exactly this server's certificate.</summary>
    public HttpMessageHandler CreateHandler()
    {
        var expected = _certificate.GetCertHash(HashAlgorithmName.SHA256);
        return new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                    certificate is not null && certificate.GetCertHash(HashAlgorithmName.SHA256).AsSpan().SequenceEqual(expected),
            },
        };
    }

    /// <summary>
    /// Sets a <c>SecretClient</c>'s options to reach this server: a transport that trusts its certificate, and no challenge
    /// resource check (127.0.0.1 is not under vault.azure.net). Returns <paramref name="options"/>.
    /// </summary>
    public SecretClientOptions Configure(SecretClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Transport = new HttpClientTransport(CreateHandler());
        options.DisableChallengeResourceVerification = true;
        return options;
    }

    /// <summary>Answers the next <paramref name="count"/> requests with <paramref name="status"/> (e.g. 503, 500, 429), before auth.</summary>
    public void FailNext(int count, int status, TimeSpan? retryAfter = null)
    {
        lock (_lock)
        {
            _failuresLeft = count;
            _failureStatus = status;
            _failureRetryAfter = retryAfter;
        }
    }

    /// <summary>Aborts the connection of the next <paramref name="count"/> requests without any response.</summary>
    public void DropNextConnections(int count)
    {
        lock (_lock)
        {
            _connectionsToDrop = count;
        }
    }

    /// <summary>Starts listening (again, on the same port after <see cref="StopAsync"/>); stored secrets survive.</summary>
    public async Task StartAsync()
    {
        await _lifecycle.WaitAsync();
        try
        {
            if (_app is not null)
            {
                return;
            }

            if (_port != 0)
            {
                _app = await ListenAsync(_port);
                return;
            }

            while (true)
            {
                var app = await ListenAsync(0);
                var port = new Uri(app.Urls.Single()).Port;
                if (PortsHandedOut.TryAdd(port, true))
                {
                    (_app, _port) = (app, port);
                    return;
                }

                await app.StopAsync();
                await app.DisposeAsync();
            }
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    private async Task<WebApplication> ListenAsync(int port)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port, listen =>
        {
            listen.Protocols = HttpProtocols.Http1;
            listen.UseHttps(_certificate);
        }));
        builder.Services.AddRoutingCore();

        var app = builder.Build();
        app.Use(InterceptAsync);
        MapSecretRoutes(app);
        await app.StartAsync();
        return app;
    }

    /// <summary>Stops listening: connections are refused until <see cref="StartAsync"/>.</summary>
    public async Task StopAsync()
    {
        await _lifecycle.WaitAsync();
        try
        {
            if (_app is null)
            {
                return;
            }

            await _app.StopAsync();
            await _app.DisposeAsync();
            _app = null;
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _certificate.Dispose();
        _lifecycle.Dispose();
    }

    // Faults first (they model the network and the service front end), then api-version, then the bearer challenge.
    private async Task InterceptAsync(HttpContext context, RequestDelegate next)
    {
        var hadAuthorization = context.Request.Headers.Authorization.Count > 0;
        var hadBody = context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody ?? false;
        bool drop;
        int? failWith = null;
        TimeSpan? retryAfter = null;
        lock (_lock)
        {
            drop = _connectionsToDrop > 0;
            if (drop)
            {
                _connectionsToDrop--;
            }
            else if (_failuresLeft > 0)
            {
                _failuresLeft--;
                failWith = _failureStatus;
                retryAfter = _failureRetryAfter;
            }
        }

        if (drop)
        {
            Record(context, hadAuthorization, hadBody, 0);
            context.Abort();
            return;
        }

        if (failWith is { } status)
        {
            if (retryAfter is { } delay)
            {
                context.Response.Headers.RetryAfter = ((int)Math.Ceiling(delay.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
            }

            await WriteErrorAsync(context, status, ErrorCodeFor(status), "Injected fault.");
        }
        else if (!context.Request.Query.ContainsKey("api-version"))
        {
            await WriteErrorAsync(context, 400, "MissingApiVersionParameter", "The api-version query parameter (?api-version=) is required for all requests.");
        }
        else if (!hadAuthorization)
        {
            await ChallengeAsync(context, "AKV10000: Request is missing a Bearer or PoP token.");
        }
        else if (!HasValidToken(context.Request))
        {
            await ChallengeAsync(context, "AKV10022: Invalid audience, tenant or signature.");
        }
        else
        {
            await next(context);
        }

        Record(context, hadAuthorization, hadBody, context.Response.StatusCode);
    }

    private bool HasValidToken(HttpRequest request)
    {
        const string prefix = "Bearer ";
        var header = request.Headers.Authorization.ToString();
        return header.StartsWith(prefix, StringComparison.Ordinal)
            && TestTokenCredential.IsValid(_tokenKey, header[prefix.Length..], Scope, TenantId);
    }

    private Task ChallengeAsync(HttpContext context, string message)
    {
        context.Response.Headers.WWWAuthenticate =
            $"Bearer authorization=\"https://login.microsoftonline.com/{TenantId}\", resource=\"{Resource}\"";
        return WriteErrorAsync(context, 401, "Unauthorized", message);
    }

    private void Record(HttpContext context, bool hadAuthorization, bool hadBody, int status)
    {
        lock (_lock)
        {
            _requests.Add(new VaultRequest(context.Request.Method, context.Request.Path.Value ?? "", hadAuthorization, hadBody, status));
        }
    }

    private static string ErrorCodeFor(int status) => status switch
    {
        429 => "Throttled",
        500 => "InternalServerError",
        503 => "ServiceUnavailable",
        _ => "Error",
    };
}
