using System.Text;
using Azure.Core;
using Azure.Core.Pipeline;

namespace ServerlessCreds.Adapters.Storage;

/// <summary>Shared Key Lite for the Table service, as Azure.Data.Tables signs: date and canonicalized resource only.</summary>
internal sealed class TableSharedKeyLitePolicy(StorageSharedKey key) : HttpPipelineSynchronousPolicy
{
    public override void OnSendingRequest(HttpMessage message)
    {
        var uri = message.Request.Uri.ToUri();
        message.Request.Headers.TryGetValue("x-ms-date", out var date);

        var stringToSign = new StringBuilder()
            .Append(date).Append('\n')
            .Append('/').Append(key.AccountName).Append(uri.AbsolutePath);
        var comp = StorageQuery.Parse(uri.Query).Where(parameter => parameter.Name == "comp").Select(parameter => parameter.Value).FirstOrDefault();
        if (comp is not null)
        {
            stringToSign.Append("?comp=").Append(comp);
        }

        message.Request.Headers.SetValue("Authorization", $"SharedKeyLite {key.AccountName}:{key.Sign(stringToSign.ToString())}");
    }
}
