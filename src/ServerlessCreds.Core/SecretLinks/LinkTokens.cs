using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace ServerlessCreds.SecretLinks;

/// <summary>
/// Link tokens are derived, not stored: HMAC-SHA256(key, delivery id) gives 256 unguessable bits that a retried send
/// recomputes identically, so a crash between "link created" and "email sent" never needs the token persisted.
/// Only <see cref="Hash"/> of a token is ever stored.
/// </summary>
public static class LinkTokens
{
    public static string Derive(byte[] key, string deliveryId) =>
        Base64Url.EncodeToString(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"secret-link:{deliveryId}")));

    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    /// <summary>Shape check before any lookup: 43 base64url characters (256 bits).</summary>
    public static bool IsWellFormed(string token) => token.Length == 43 && token.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');
}
