using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace ServerlessCreds.Testing.Callers;

/// <summary>A JWS in compact form: base64url(header).base64url(payload).base64url(signature over the first two parts).</summary>
public static class CompactJwt
{
    public static string Sign(string headerJson, string payloadJson, Func<byte[], byte[]> sign)
    {
        ArgumentNullException.ThrowIfNull(sign);
        var signingInput = Encode(headerJson) + "." + Encode(payloadJson);
        return signingInput + "." + Base64Url.EncodeToString(sign(Encoding.ASCII.GetBytes(signingInput)));
    }

    /// <summary>Signed with <paramref name="key"/> (RS256), its header naming <paramref name="kid"/>.</summary>
    public static string Rs256(RSA key, string kid, string payloadJson)
    {
        ArgumentNullException.ThrowIfNull(key);
        return Sign(new JsonObject { ["alg"] = "RS256", ["kid"] = kid, ["typ"] = "JWT" }.ToJsonString(), payloadJson,
            input => key.SignData(input, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
    }

    public static string Encode(string json) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(json));
}
