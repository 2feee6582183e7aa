using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Azure.Core;
using Azure.Core.Pipeline;

namespace ServerlessCreds.Adapters.Email;

/// <summary>
/// Signs every attempt with the resource access key, as Communication Services expects: HMAC-SHA256 over the verb,
/// path and query, date, host and body hash. Runs per retry so each attempt carries a fresh date.
/// </summary>
internal sealed class HmacAuthenticationPolicy(byte[] accessKey) : HttpPipelineSynchronousPolicy
{
    public override void OnSendingRequest(HttpMessage message)
    {
        Request request = message.Request;
        string contentHash = ContentHash(request.Content, message.CancellationToken);
        string date = DateTimeOffset.UtcNow.ToString("r", CultureInfo.InvariantCulture);
        Uri uri = request.Uri.ToUri();
        string stringToSign = $"{request.Method.Method}\n{uri.PathAndQuery}\n{date};{uri.Authority};{contentHash}";
        string signature = Convert.ToBase64String(HMACSHA256.HashData(accessKey, Encoding.ASCII.GetBytes(stringToSign)));

        request.Headers.SetValue("x-ms-date", date);
        request.Headers.SetValue("x-ms-content-sha256", contentHash);
        request.Headers.SetValue(
            HttpHeader.Names.Authorization,
            $"HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature={signature}");
    }

    // Hash exactly the bytes that go on the wire.
    static string ContentHash(RequestContent? content, CancellationToken cancellationToken)
    {
        using var body = new MemoryStream();
        content?.WriteTo(body, cancellationToken);
        body.Position = 0;
        return Convert.ToBase64String(SHA256.HashData(body));
    }
}
