using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Options;
using ServerlessCreds.Common;

namespace ServerlessCreds.Host.Authentication;

/// <summary>
/// The issuer and RS256 keys an OpenID Connect authority publishes, imported once: importing a 2048-bit key costs about
/// six times its signature check, so a per-request import would dominate token validation.
/// </summary>
/// <remarks>
/// The keys are shared by concurrent requests (verifying with one key is thread-safe) and never disposed: a request may
/// still be verifying with a replaced set, and their finalizers free the native keys.
/// </remarks>
internal sealed record OpenIdKeySet(string Issuer, IReadOnlyDictionary<string, RSA> Keys, DateTimeOffset FetchedAt);

/// <summary>
/// Reads <c>{Authority}/.well-known/openid-configuration</c> and its <c>jwks_uri</c>, caches the keys, and refetches
/// when a token names an unknown <c>kid</c> (at most every five minutes) or the cache is a day old. The first fetch
/// runs while the host starts, so the first request after a cold start does not wait for the identity provider.
/// </summary>
internal sealed partial class OpenIdSigningKeys(
    IHttpClientFactory httpClientFactory,
    IOptionsMonitor<BearerTokenOptions> options,
    TimeProvider timeProvider,
    ILogger<OpenIdSigningKeys> logger) : BackgroundService
{
    public const string HttpClientName = "ServerlessCreds.OpenIdConfiguration";
    const int MinimumRsaKeyBits = 2048;
    static readonly TimeSpan MinimumRefreshInterval = TimeSpan.FromMinutes(5);

    // Keys removed by the authority (e.g. after a compromise) must stop working even if no new kid shows up.
    static readonly TimeSpan MaximumAge = TimeSpan.FromHours(24);

    readonly SemaphoreSlim refreshLock = new(1, 1);
    volatile OpenIdKeySet? current;
    DateTimeOffset lastAttempt;
    int attempts;

    /// <summary>
    /// The current key set, refreshed first when it lacks <paramref name="keyId"/> and may be refreshed; with no
    /// <paramref name="keyId"/>, any key set that is not too old.
    /// </summary>
    /// <exception cref="DependencyUnavailableException">No key set could ever be loaded.</exception>
    public async Task<OpenIdKeySet> GetAsync(string? keyId, CancellationToken cancellationToken)
    {
        var keys = current;
        if (keys is not null && IsUsable(keys, keyId))
        {
            return keys;
        }

        var attemptsBefore = Volatile.Read(ref attempts);
        await refreshLock.WaitAsync(cancellationToken);
        try
        {
            keys = current;
            if (keys is not null && (IsUsable(keys, keyId) || attempts != attemptsBefore || !MayRefresh()))
            {
                return keys;
            }

            // With no keys at all, one fetch at a time; callers that waited on a failed fetch share its outcome.
            if (keys is null && attempts != attemptsBefore)
            {
                throw new DependencyUnavailableException("identity provider metadata");
            }

            lastAttempt = timeProvider.GetUtcNow();
            attempts++;
            try
            {
                // Not the caller's token: the fetch serves every waiting request and is bounded by the client timeout.
                current = await FetchAsync();
            }
            catch (Exception e) when (e is HttpRequestException or JsonException or InvalidDataException or TaskCanceledException)
            {
                LogFetchFailed(logger, e);
                if (current is null)
                {
                    throw new DependencyUnavailableException("identity provider metadata", e);
                }
            }

            return current!;
        }
        finally
        {
            refreshLock.Release();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (string.IsNullOrEmpty(options.Get(CallerAuthentication.Scheme).Authority))
        {
            return;
        }

        try
        {
            await GetAsync(keyId: null, stoppingToken);
        }
        catch (DependencyUnavailableException)
        {
            // Logged by the fetch; the first request that needs the keys tries again.
        }
        catch (Exception e) when (!stoppingToken.IsCancellationRequested)
        {
            // Nor may anything else stop the host from here: requests report it if it persists.
            LogPrefetchFailed(logger, e);
        }
    }

    public override void Dispose()
    {
        refreshLock.Dispose();
        base.Dispose();
    }

    bool IsUsable(OpenIdKeySet keys, string? keyId) =>
        (keyId is null || keys.Keys.ContainsKey(keyId)) && timeProvider.GetUtcNow() - keys.FetchedAt < MaximumAge;

    bool MayRefresh() => timeProvider.GetUtcNow() - lastAttempt >= MinimumRefreshInterval;

    async Task<OpenIdKeySet> FetchAsync()
    {
        var authority = options.Get(CallerAuthentication.Scheme).Authority!.TrimEnd('/');
        var client = httpClientFactory.CreateClient(HttpClientName);

        using var discovery = JsonDocument.Parse(
            await client.GetByteArrayAsync(new Uri(authority + "/.well-known/openid-configuration")));
        var issuer = RequiredString(discovery.RootElement, "issuer");
        if (!Uri.TryCreate(RequiredString(discovery.RootElement, "jwks_uri"), UriKind.Absolute, out var jwksUri)
            || !BearerTokenOptions.IsAllowedMetadataUri(jwksUri))
        {
            throw new InvalidDataException("The OpenID configuration names an unusable jwks_uri.");
        }

        using var jwks = JsonDocument.Parse(await client.GetByteArrayAsync(jwksUri));
        if (jwks.RootElement.ValueKind != JsonValueKind.Object
            || !jwks.RootElement.TryGetProperty("keys", out var keyArray) || keyArray.ValueKind != JsonValueKind.Array)
        {
            throw new InvalidDataException("The JWKS has no keys array.");
        }

        var keys = new Dictionary<string, RSA>(StringComparer.Ordinal);
        foreach (var jwk in keyArray.EnumerateArray())
        {
            if (ToRs256Key(jwk) is var (kid, key))
            {
                keys[kid] = key;
            }
        }

        LogKeysLoaded(logger, keys.Count, jwksUri);
        return new OpenIdKeySet(issuer, keys, timeProvider.GetUtcNow());
    }

    /// <summary>Null for keys that cannot verify RS256 signatures (other types, encryption keys, short moduli).</summary>
    static (string Kid, RSA Key)? ToRs256Key(JsonElement jwk)
    {
        if (jwk.ValueKind != JsonValueKind.Object
            || OptionalString(jwk, "kty") != "RSA"
            || OptionalString(jwk, "use") is not (null or "sig")
            || OptionalString(jwk, "alg") is not (null or JsonWebToken.Rs256)
            || OptionalString(jwk, "kid") is not { Length: > 0 } kid
            || OptionalString(jwk, "n") is not { } n || JsonWebToken.DecodeBase64Url(n) is not { } modulusBytes
            || OptionalString(jwk, "e") is not { } e || JsonWebToken.DecodeBase64Url(e) is not { } exponent)
        {
            return null;
        }

        var modulus = modulusBytes.AsSpan().TrimStart((byte)0).ToArray();
        if (modulus.Length * 8 < MinimumRsaKeyBits)
        {
            return null;
        }

        try
        {
            return (kid, RSA.Create(new RSAParameters { Modulus = modulus, Exponent = exponent }));
        }
        catch (CryptographicException)
        {
            return null;
        }
    }

    static string RequiredString(JsonElement element, string name) =>
        OptionalString(element, name) is { Length: > 0 } value
            ? value
            : throw new InvalidDataException($"The OpenID configuration has no '{name}'.");

    static string? OptionalString(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    [LoggerMessage(Level = LogLevel.Information, Message = "Loaded {Count} RS256 signing keys from {JwksUri}.")]
    static partial void LogKeysLoaded(ILogger logger, int count, Uri jwksUri);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not load the OpenID Connect signing keys.")]
    static partial void LogFetchFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Prefetching the OpenID Connect signing keys failed.")]
    static partial void LogPrefetchFailed(ILogger logger, Exception exception);
}
