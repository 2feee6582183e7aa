using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Azure.Core;

namespace ServerlessCreds.Testing.KeyVault;

/// <summary>A token request as the Key Vault client made it.</summary>
public sealed record TokenRequest(IReadOnlyList<string> Scopes, string? TenantId);

/// <summary>
/// Issues tokens that only its <see cref="KeyVaultTestServer"/> accepts: an HMAC, under the server's key, over the
/// requested scope, tenant and expiry. Records every request so tests can check what the client asked for.
/// </summary>
public sealed class TestTokenCredential : TokenCredential
{
    internal static readonly TimeSpan Lifetime = TimeSpan.FromHours(1);

    private readonly byte[] _key;
    private readonly Lock _lock = new();
    private readonly List<TokenRequest> _requests = [];

    internal TestTokenCredential(byte[] key) => _key = key;

    public IReadOnlyList<TokenRequest> Requests
    {
        get
        {
            lock (_lock)
            {
                return [.. _requests];
            }
        }
    }

    public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            _requests.Add(new TokenRequest([.. requestContext.Scopes], requestContext.TenantId));
        }

        var expiresOn = DateTimeOffset.UtcNow.Add(Lifetime);
        return new AccessToken(Issue(_key, string.Join(' ', requestContext.Scopes), requestContext.TenantId ?? "", expiresOn), expiresOn);
    }

    public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
        ValueTask.FromResult(GetToken(requestContext, cancellationToken));

    internal static bool IsValid(byte[] key, string token, string expectedScope, string expectedTenant)
    {
        var dot = token.IndexOf('.', StringComparison.Ordinal);
        if (dot < 0)
        {
            return false;
        }

        byte[] claims, signature;
        try
        {
            claims = Convert.FromBase64String(token[..dot]);
            signature = Convert.FromBase64String(token[(dot + 1)..]);
        }
        catch (FormatException)
        {
            return false;
        }

        if (!CryptographicOperations.FixedTimeEquals(signature, HMACSHA256.HashData(key, claims)))
        {
            return false;
        }

        var parts = Encoding.UTF8.GetString(claims).Split('|');
        return parts.Length == 3
            && parts[0] == expectedScope
            && parts[1] == expectedTenant
            && long.TryParse(parts[2], CultureInfo.InvariantCulture, out var expires)
            && DateTimeOffset.FromUnixTimeSeconds(expires) > DateTimeOffset.UtcNow;
    }

    internal static string Issue(byte[] key, string scope, string tenant, DateTimeOffset expiresOn)
    {
        var claims = Encoding.UTF8.GetBytes(FormattableString.Invariant($"{scope}|{tenant}|{expiresOn.ToUnixTimeSeconds()}"));
        return Convert.ToBase64String(claims) + "." + Convert.ToBase64String(HMACSHA256.HashData(key, claims));
    }
}
