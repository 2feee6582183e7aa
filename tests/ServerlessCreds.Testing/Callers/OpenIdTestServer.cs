using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace ServerlessCreds.Testing.Callers;

/// <summary>
/// A tiny Entra-like identity provider on 127.0.0.1 (Kestrel, port 0): OpenID discovery plus a JWKS of RSA keys the test
/// adds and removes.
/// </summary>
public sealed class OpenIdTestServer : IAsyncDisposable
{
    const string Tenant = "11111111-2222-3333-4444-555555555555";

    readonly WebApplication app;
    readonly ConcurrentDictionary<string, RSA> keys = new();
    int discoveryRequests;
    int jwksRequests;
    volatile bool unavailable;

    OpenIdTestServer(WebApplication app) => this.app = app;

    /// <summary>What goes into <c>Authentication:Schemes:Bearer:Authority</c>.</summary>
    public string Authority { get; private set; } = "";

    /// <summary>The issuer the discovery document names, as Entra's v2 endpoint does.</summary>
    public string Issuer => Authority;

    public int DiscoveryRequests => Volatile.Read(ref discoveryRequests);

    public int JwksRequests => Volatile.Read(ref jwksRequests);

    /// <summary>While set, discovery answers 503, as during an outage.</summary>
    public bool Unavailable
    {
        get => unavailable;
        set => unavailable = value;
    }

    public static async Task<OpenIdTestServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new OpenIdTestServer(app);
        app.MapGet($"/{Tenant}/v2.0/.well-known/openid-configuration", server.WriteDiscoveryAsync);
        app.MapGet($"/{Tenant}/discovery/v2.0/keys", server.WriteJwksAsync);
        await app.StartAsync();
        server.Authority = $"{app.Urls.Single()}/{Tenant}/v2.0";
        return server;
    }

    /// <summary>Publishes a new 2048-bit key; the caller signs tokens with it.</summary>
    public (string Kid, RSA Key) AddKey()
    {
        var kid = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        var key = RSA.Create(2048);
        keys[kid] = key;
        return (kid, key);
    }

    public void RemoveKey(string kid) => keys.TryRemove(kid, out _);

    /// <summary>The host configuration that trusts this authority's tokens for <paramref name="audience"/>.</summary>
    public Dictionary<string, string?> Settings(string audience = TestTokens.DefaultAudience) => new()
    {
        ["Authentication:Schemes:Bearer:Authority"] = Authority,
        ["Authentication:Schemes:Bearer:ValidAudiences:0"] = audience,
    };

    /// <summary>
    /// An Entra ID v2 access token from this authority, signed with <paramref name="signingKey"/> (from
    /// <see cref="AddKey"/>): <c>oid</c>, <c>name</c>, app <c>roles</c>, optional <c>bu</c>, valid from a minute ago until
    /// <paramref name="expires"/>.
    /// </summary>
    public string CreateToken(
        (string Kid, RSA Key) signingKey,
        string objectId,
        string name,
        IEnumerable<string> roles,
        string? businessUnit,
        DateTimeOffset expires,
        string audience = TestTokens.DefaultAudience)
    {
        var now = DateTimeOffset.UtcNow;
        var payload = new JsonObject
        {
            ["aud"] = audience,
            ["iss"] = Issuer,
            ["iat"] = now.ToUnixTimeSeconds(),
            ["nbf"] = now.AddMinutes(-1).ToUnixTimeSeconds(),
            ["exp"] = expires.ToUnixTimeSeconds(),
            ["name"] = name,
            ["oid"] = objectId,
            ["roles"] = new JsonArray([.. roles.Select(role => JsonValue.Create(role))]),
            ["sub"] = objectId,
            ["tid"] = Tenant,
            ["ver"] = "2.0",
        };
        if (businessUnit is not null)
        {
            payload["bu"] = businessUnit;
        }

        return CompactJwt.Rs256(signingKey.Key, signingKey.Kid, payload.ToJsonString());
    }

    Task WriteDiscoveryAsync(HttpContext context)
    {
        Interlocked.Increment(ref discoveryRequests);
        if (unavailable)
        {
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            return Task.CompletedTask;
        }

        return WriteJsonAsync(context, writer =>
        {
            writer.WriteString("issuer", Issuer);
            writer.WriteString("jwks_uri", Authority.Replace("/v2.0", "/discovery/v2.0/keys", StringComparison.Ordinal));
            writer.WriteString("token_endpoint", Authority.Replace("/v2.0", "/oauth2/v2.0/token", StringComparison.Ordinal));
        });
    }

    Task WriteJwksAsync(HttpContext context)
    {
        Interlocked.Increment(ref jwksRequests);
        return WriteJsonAsync(context, writer =>
        {
            writer.WriteStartArray("keys");

            // Entra also lists keys this handler must skip; one of them shares nothing usable.
            writer.WriteStartObject();
            writer.WriteString("kty", "EC");
            writer.WriteString("kid", "ec-key");
            writer.WriteEndObject();
            foreach (var (kid, key) in keys)
            {
                var parameters = key.ExportParameters(includePrivateParameters: false);
                writer.WriteStartObject();
                writer.WriteString("kty", "RSA");
                writer.WriteString("use", "sig");
                writer.WriteString("kid", kid);
                writer.WriteString("n", Base64Url.EncodeToString(parameters.Modulus));
                writer.WriteString("e", Base64Url.EncodeToString(parameters.Exponent));
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        });
    }

    static async Task WriteJsonAsync(HttpContext context, Action<Utf8JsonWriter> writeProperties)
    {
        context.Response.ContentType = "application/json";
        await using var writer = new Utf8JsonWriter(context.Response.Body);
        writer.WriteStartObject();
        writeProperties(writer);
        writer.WriteEndObject();
    }

    public async ValueTask DisposeAsync()
    {
        await app.DisposeAsync();
        foreach (var key in keys.Values)
        {
            key.Dispose();
        }
    }
}
