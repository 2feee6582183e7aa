using System.Globalization;
using Azure.Core;
using Azure.Core.Pipeline;

namespace ServerlessCreds.Adapters.Storage;

/// <summary>Stamps <c>x-ms-date</c> on every attempt; signatures are computed over it, and the service rejects skew over 15 minutes.</summary>
internal sealed class StorageDatePolicy : HttpPipelineSynchronousPolicy
{
    public override void OnSendingRequest(HttpMessage message) =>
        message.Request.Headers.SetValue("x-ms-date", DateTimeOffset.UtcNow.ToString("r", CultureInfo.InvariantCulture));
}
