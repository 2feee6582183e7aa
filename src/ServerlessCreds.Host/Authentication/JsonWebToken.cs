using System.Buffers;
using System.Buffers.Text;
using System.Text;
using System.Text.Json;

namespace ServerlessCreds.Host.Authentication;

/// <summary>A compact JWS whose three parts decoded strictly; the signature and claims are not checked yet.</summary>
internal sealed class JsonWebToken
{
    /// <summary>The handler refuses longer tokens before parsing them.</summary>
    public const int MaxLength = 16 * 1024;
    public const string Hs256 = "HS256";
    public const string Rs256 = "RS256";

    static readonly JsonDocumentOptions StrictJson = new() { MaxDepth = 16, AllowDuplicateProperties = false };

    JsonWebToken(string algorithm, string? keyId, byte[] signingInput, byte[] signature, JsonElement payload)
    {
        Algorithm = algorithm;
        KeyId = keyId;
        SigningInput = signingInput;
        Signature = signature;
        Payload = payload;
    }

    /// <summary><see cref="Hs256"/> or <see cref="Rs256"/>; nothing else parses.</summary>
    public string Algorithm { get; }

    public string? KeyId { get; }

    /// <summary>The ASCII bytes of <c>header.payload</c>, which the signature covers.</summary>
    public byte[] SigningInput { get; }

    public byte[] Signature { get; }

    /// <summary>The claims set, a JSON object.</summary>
    public JsonElement Payload { get; }

    /// <summary>Null when the token is not exactly three base64url parts holding a JSON header and payload object.</summary>
    public static JsonWebToken? TryParse(string token)
    {
        var parts = token.Split('.');
        if (parts.Length != 3
            || DecodeBase64Url(parts[0]) is not { } headerBytes
            || DecodeBase64Url(parts[1]) is not { } payloadBytes
            || DecodeBase64Url(parts[2]) is not { } signature
            || ParseObject(headerBytes) is not { } header
            || ParseObject(payloadBytes) is not { } payload)
        {
            return null;
        }

        // The algorithm list is closed: "none" and anything else never reach key selection.
        var algorithm = header.TryGetProperty("alg", out var alg) && alg.ValueKind == JsonValueKind.String ? alg.GetString() : null;
        if (algorithm is not (Hs256 or Rs256))
        {
            return null;
        }

        // No header extension is understood, so a critical one must fail (RFC 7515 §4.1.11).
        if (header.TryGetProperty("crit", out _))
        {
            return null;
        }

        string? keyId = null;
        if (header.TryGetProperty("kid", out var kid))
        {
            if (kid.ValueKind != JsonValueKind.String)
            {
                return null;
            }

            keyId = kid.GetString();
        }

        var signingInput = Encoding.ASCII.GetBytes(token, 0, parts[0].Length + 1 + parts[1].Length);
        return new JsonWebToken(algorithm, keyId, signingInput, signature, payload);
    }

    /// <summary>Null unless <paramref name="text"/> is unpadded base64url with zero trailing bits.</summary>
    internal static byte[]? DecodeBase64Url(string text)
    {
        if (text.Length == 0)
        {
            return null;
        }

        // The decoder alone would also skip whitespace and accept padding.
        foreach (var c in text)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '-' && c != '_')
            {
                return null;
            }
        }

        var bytes = new byte[Base64Url.GetMaxDecodedLength(text.Length)];
        var status = Base64Url.DecodeFromChars(text, bytes, out _, out var written);
        return status == OperationStatus.Done ? bytes[..written] : null;
    }

    static JsonElement? ParseObject(byte[] utf8Json)
    {
        try
        {
            using var document = JsonDocument.Parse(utf8Json, StrictJson);
            return document.RootElement.ValueKind == JsonValueKind.Object ? document.RootElement.Clone() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
