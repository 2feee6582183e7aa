using System.Globalization;
using System.Text;
using System.Text.Json;

namespace ServerlessCreds.Adapters.Tables;

/// <summary>The <c>multipart/mixed</c> wire format of an entity-group transaction (table-storage.md §7).</summary>
internal static class TableTransactionBody
{
    public sealed record SubResponse(int Status, string? ETag, string Body);

    public static string Write(string batchBoundary, Uri tableUri, Func<TableEntity, Uri> entityUri, IReadOnlyList<TableTransactionAction> actions)
    {
        var changesetBoundary = $"changeset_{Guid.NewGuid():N}";
        var body = new StringBuilder()
            .Append("--").Append(batchBoundary).Append("\r\n")
            .Append("Content-Type: multipart/mixed; boundary=").Append(changesetBoundary).Append("\r\n\r\n");
        foreach (var action in actions)
        {
            var (method, uri, ifMatch, hasBody) = action.ActionType switch
            {
                TableTransactionActionType.Add => ("POST", tableUri, null, true),
                TableTransactionActionType.UpdateMerge => ("PATCH", entityUri(action.Entity), action.IfMatch ?? "*", true),
                TableTransactionActionType.UpdateReplace => ("PUT", entityUri(action.Entity), action.IfMatch ?? "*", true),
                TableTransactionActionType.UpsertMerge => ("PATCH", entityUri(action.Entity), null, true),
                TableTransactionActionType.UpsertReplace => ("PUT", entityUri(action.Entity), null, true),
                TableTransactionActionType.Delete => ("DELETE", entityUri(action.Entity), action.IfMatch ?? "*", false),
                _ => throw new ArgumentOutOfRangeException(nameof(actions), action.ActionType, "Unknown transaction action type."),
            };

            body.Append("--").Append(changesetBoundary).Append("\r\n")
                .Append("Content-Type: application/http\r\n")
                .Append("Content-Transfer-Encoding: binary\r\n\r\n")
                .Append(method).Append(' ').Append(uri.AbsoluteUri).Append(" HTTP/1.1\r\n")
                .Append("Accept: application/json;odata=minimalmetadata\r\n")
                .Append("DataServiceVersion: 3.0\r\n");
            if (ifMatch is not null)
            {
                body.Append("If-Match: ").Append(ifMatch).Append("\r\n");
            }

            if (hasBody)
            {
                body.Append("Content-Type: application/json\r\n")
                    .Append("Prefer: return-no-content\r\n\r\n")
                    .Append(Encoding.UTF8.GetString(TableEntityJson.Write(action.Entity))).Append("\r\n");
            }
            else
            {
                body.Append("\r\n");
            }
        }

        return body.Append("--").Append(changesetBoundary).Append("--\r\n")
            .Append("--").Append(batchBoundary).Append("--\r\n")
            .ToString();
    }

    /// <summary>Reads the embedded <c>HTTP/1.1</c> responses in order; boundaries and part headers are skipped.</summary>
    public static List<SubResponse> Read(string responseBody)
    {
        var responses = new List<SubResponse>();
        using var reader = new StringReader(responseBody);
        while (reader.ReadLine() is { } line)
        {
            if (!line.StartsWith("HTTP/1.1 ", StringComparison.Ordinal))
            {
                continue;
            }

            var status = int.Parse(line.AsSpan(9, 3), CultureInfo.InvariantCulture);
            string? etag = null;
            while (reader.ReadLine() is { Length: > 0 } header)
            {
                if (header.StartsWith("ETag:", StringComparison.OrdinalIgnoreCase))
                {
                    etag = header[5..].Trim();
                }
            }

            var body = new StringBuilder();
            while (reader.Peek() != '-' && reader.ReadLine() is { } bodyLine)
            {
                body.Append(bodyLine);
            }

            responses.Add(new SubResponse(status, etag, body.ToString()));
        }

        return responses;
    }

    /// <summary>The error code and failing action index of an embedded error (its message starts with <c>"index:"</c>).</summary>
    public static (string? ErrorCode, int? ActionIndex) ReadError(string body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            var error = json.RootElement.GetProperty("odata.error");
            var code = error.TryGetProperty("code", out var codeElement) ? codeElement.GetString() : null;
            var message = error.TryGetProperty("message", out var messageElement) && messageElement.TryGetProperty("value", out var value)
                ? value.GetString() ?? ""
                : "";
            var colon = message.IndexOf(':', StringComparison.Ordinal);
            return (code, colon > 0 && int.TryParse(message.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out var index) ? index : null);
        }
        catch (Exception exception) when (exception is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return (null, null);
        }
    }
}
