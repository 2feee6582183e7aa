using System.Globalization;
using System.Text;
using Azure.Core;
using Azure.Core.Pipeline;

namespace ServerlessCreds.Adapters.Storage;

/// <summary>Full Shared Key for the Queue service (Azurite's queue service does not accept Shared Key Lite).</summary>
internal sealed class QueueSharedKeyPolicy(StorageSharedKey key) : HttpPipelineSynchronousPolicy
{
    public override void OnSendingRequest(HttpMessage message)
    {
        var request = message.Request;
        var contentLength = request.Content is not null && request.Content.TryComputeLength(out var length) && length > 0
            ? length.ToString(CultureInfo.InvariantCulture)
            : "";

        var stringToSign = new StringBuilder()
            .Append(request.Method.Method).Append('\n')
            .Append(Header(request, "Content-Encoding")).Append('\n')
            .Append(Header(request, "Content-Language")).Append('\n')
            .Append(contentLength).Append('\n')
            .Append(Header(request, "Content-MD5")).Append('\n')
            .Append(Header(request, "Content-Type")).Append('\n')
            .Append('\n') // Date: x-ms-date is sent instead and signed as a canonicalized header.
            .Append(Header(request, "If-Modified-Since")).Append('\n')
            .Append(Header(request, "If-Match")).Append('\n')
            .Append(Header(request, "If-None-Match")).Append('\n')
            .Append(Header(request, "If-Unmodified-Since")).Append('\n')
            .Append(Header(request, "Range")).Append('\n');
        AppendCanonicalizedHeaders(stringToSign, request);
        AppendCanonicalizedResource(stringToSign, request.Uri.ToUri());

        request.Headers.SetValue("Authorization", $"SharedKey {key.AccountName}:{key.Sign(stringToSign.ToString())}");
    }

    private static string Header(Request request, string name) =>
        request.Headers.TryGetValue(name, out var value) ? value : "";

    private static void AppendCanonicalizedHeaders(StringBuilder stringToSign, Request request)
    {
        var headers = request.Headers
            .Where(header => header.Name.StartsWith("x-ms-", StringComparison.OrdinalIgnoreCase))
            .Select(header => (Name: header.Name.ToLowerInvariant(), Value: header.Value.Trim()))
            .OrderBy(header => header.Name, StringComparer.Ordinal);
        foreach (var (name, value) in headers)
        {
            stringToSign.Append(name).Append(':').Append(value).Append('\n');
        }
    }

    private void AppendCanonicalizedResource(StringBuilder stringToSign, Uri uri)
    {
        stringToSign.Append('/').Append(key.AccountName).Append(uri.AbsolutePath);
        var parameters = StorageQuery.Parse(uri.Query)
            .GroupBy(parameter => parameter.Name.ToLowerInvariant(), parameter => parameter.Value)
            .OrderBy(group => group.Key, StringComparer.Ordinal);
        foreach (var parameter in parameters)
        {
            stringToSign.Append('\n').Append(parameter.Key).Append(':').Append(string.Join(',', parameter));
        }
    }
}
