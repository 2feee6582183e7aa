using System.Security.Cryptography;
using System.Text;

namespace ServerlessCreds.Host.Http;

/// <summary>
/// Keys derived from the vault's link key with HKDF under labels of their own, so idempotency rows never hold a secret
/// or anything a secret could be guessed from: responses (which may carry a client secret) are sealed with AES-GCM,
/// request bodies (which may carry a passphrase) are only kept as an HMAC.
/// </summary>
static class IdempotencyProtector
{
    const int NonceSize = 12;
    const int TagSize = 16;
    static readonly byte[] EncryptionLabel = Encoding.ASCII.GetBytes("serverlesscreds/idempotency/response-encryption/v1");
    static readonly byte[] RequestHashLabel = Encoding.ASCII.GetBytes("serverlesscreds/idempotency/request-hash/v1");

    public static string RequestHash(byte[] vaultKey, ReadOnlySpan<byte> body) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(DeriveKey(vaultKey, RequestHashLabel), body));

    /// <summary>nonce || tag || ciphertext, bound to <paramref name="scope"/> so a row's body cannot be replayed under another key.</summary>
    public static byte[] Seal(byte[] vaultKey, string scope, ReadOnlySpan<byte> plaintext)
    {
        var sealedBytes = new byte[NonceSize + TagSize + plaintext.Length];
        var nonce = sealedBytes.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(DeriveKey(vaultKey, EncryptionLabel), TagSize);
        aes.Encrypt(nonce, plaintext, sealedBytes.AsSpan(NonceSize + TagSize), sealedBytes.AsSpan(NonceSize, TagSize), Encoding.UTF8.GetBytes(scope));
        return sealedBytes;
    }

    public static byte[] Open(byte[] vaultKey, string scope, ReadOnlySpan<byte> sealedBytes)
    {
        var plaintext = new byte[sealedBytes.Length - NonceSize - TagSize];
        using var aes = new AesGcm(DeriveKey(vaultKey, EncryptionLabel), TagSize);
        aes.Decrypt(sealedBytes[..NonceSize], sealedBytes[(NonceSize + TagSize)..], sealedBytes.Slice(NonceSize, TagSize), plaintext, Encoding.UTF8.GetBytes(scope));
        return plaintext;
    }

    static byte[] DeriveKey(byte[] vaultKey, byte[] label) => HKDF.DeriveKey(HashAlgorithmName.SHA256, vaultKey, 32, salt: [], info: label);
}
