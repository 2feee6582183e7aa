using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using ServerlessCreds.Adapters.Storage;
using ServerlessCreds.Common;

namespace ServerlessCreds.Adapters.Tables;

/// <summary>
/// One table over the Table service REST API, shaped like <c>Azure.Data.Tables.TableClient</c>. Service refusals throw
/// <see cref="TableRequestException"/> subtypes; unreachable storage or 5xx after retries throws <see cref="DependencyUnavailableException"/>.
/// </summary>
public sealed partial class TableClient
{
    private const string ApiVersion = "2019-02-02";
    private const string Dependency = "table storage";
    private const int MaxTransactionActions = 100;

    private readonly HttpPipeline _pipeline;
    private readonly Uri _serviceUri;

    public TableClient(StorageAccount account, string tableName, StorageClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(account);
        if (!ValidTableName().IsMatch(tableName) || tableName.Equals("tables", StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException("Table names are 3-63 letters and digits, starting with a letter.", nameof(tableName));
        }

        Name = tableName;
        _serviceUri = account.TableServiceUri;
        _pipeline = account.CreateTablePipeline(options);
    }

    public string Name { get; }

    public async Task CreateIfNotExistsAsync(CancellationToken cancellationToken = default)
    {
        using var message = CreateCreateTableRequest();
        var response = await SendAsync(message, cancellationToken);
        switch (response.Status)
        {
            case 201 or 204:
            case 409 when ErrorCode(response) == "TableAlreadyExists":
                return;
            default:
                throw Failure(response);
        }
    }

    /// <summary>Inserts the entity and returns its ETag; throws <see cref="TableConflictException"/> if the keys exist.</summary>
    public async Task<string> AddAsync(TableEntity entity, CancellationToken cancellationToken = default)
    {
        using var message = CreateInsertEntityRequest(entity);
        var response = await SendAsync(message, cancellationToken);
        return response.Status is 201 or 204 ? ETag(response) : throw Failure(response);
    }

    /// <summary>Reads one entity; null when it (or the table) does not exist.</summary>
    public async Task<TableEntity?> GetAsync(string partitionKey, string rowKey, CancellationToken cancellationToken = default)
    {
        using var message = CreateGetEntityRequest(partitionKey, rowKey);
        var response = await SendAsync(message, cancellationToken);
        switch (response.Status)
        {
            case 200:
                using (var json = JsonDocument.Parse(response.Content.ToMemory()))
                {
                    var entity = TableEntityJson.Read(json.RootElement);
                    entity.ETag ??= ETag(response);
                    return entity;
                }

            case 404:
                return null;
            default:
                throw Failure(response);
        }
    }

    /// <summary>
    /// Reads one page in PartitionKey, RowKey order. A page may be empty and still have a continuation token;
    /// keep the same filter, top and select when passing the token back. Entities read with <paramref name="select"/>
    /// have empty keys unless the keys are selected.
    /// </summary>
    public async Task<TablePage> QueryAsync(
        string? filter = null,
        int? top = null,
        string? continuationToken = null,
        IReadOnlyList<string>? select = null,
        CancellationToken cancellationToken = default)
    {
        if (top is < 1 or > 1000)
        {
            throw new ArgumentOutOfRangeException(nameof(top), top, "A page holds 1 to 1000 entities.");
        }

        using var message = CreateQueryEntitiesRequest(filter, top, continuationToken, select);
        var response = await SendAsync(message, cancellationToken);
        if (response.Status != 200)
        {
            throw Failure(response);
        }

        using var json = JsonDocument.Parse(response.Content.ToMemory());
        var items = json.RootElement.GetProperty("value").EnumerateArray().Select(TableEntityJson.Read).ToList();
        response.Headers.TryGetValue("x-ms-continuation-NextPartitionKey", out var nextPartitionKey);
        response.Headers.TryGetValue("x-ms-continuation-NextRowKey", out var nextRowKey);
        return new TablePage(items, TableContinuationToken.Encode(nextPartitionKey, nextRowKey));
    }

    /// <summary>Updates an existing entity if its ETag still equals <paramref name="ifMatch"/> (<c>*</c>: any); returns the new ETag.</summary>
    public async Task<string> UpdateAsync(TableEntity entity, string ifMatch, TableUpdateMode mode = TableUpdateMode.Merge, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(ifMatch);
        using var message = CreateWriteEntityRequest(entity, mode, ifMatch);
        var response = await SendAsync(message, cancellationToken);
        return response.Status == 204 ? ETag(response) : throw Failure(response);
    }

    /// <summary>Inserts the entity, or merges into / replaces the stored one unconditionally; returns the new ETag.</summary>
    public async Task<string> UpsertAsync(TableEntity entity, TableUpdateMode mode = TableUpdateMode.Merge, CancellationToken cancellationToken = default)
    {
        using var message = CreateWriteEntityRequest(entity, mode, ifMatch: null);
        var response = await SendAsync(message, cancellationToken);
        return response.Status == 204 ? ETag(response) : throw Failure(response);
    }

    /// <summary>Deletes the entity if its ETag still equals <paramref name="ifMatch"/>; throws <see cref="TableNotFoundException"/> if it is missing.</summary>
    public async Task DeleteAsync(string partitionKey, string rowKey, string ifMatch = "*", CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(ifMatch);
        using var message = CreateDeleteEntityRequest(partitionKey, rowKey, ifMatch);
        var response = await SendAsync(message, cancellationToken);
        if (response.Status != 204)
        {
            throw Failure(response);
        }
    }

    /// <summary>
    /// Applies 1-100 actions on one partition atomically and returns each action's new ETag (null for deletes).
    /// If any action fails nothing is written, and the failing action's exception carries its <see cref="TableRequestException.ActionIndex"/>.
    /// </summary>
    public async Task<IReadOnlyList<string?>> SubmitTransactionAsync(IReadOnlyList<TableTransactionAction> actions, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(actions);
        if (actions.Count is 0 or > MaxTransactionActions)
        {
            throw new ArgumentException($"A transaction holds 1 to {MaxTransactionActions} actions.", nameof(actions));
        }

        if (actions.Select(action => action.Entity.PartitionKey).Distinct(StringComparer.Ordinal).Skip(1).Any())
        {
            throw new ArgumentException("All actions of a transaction must share one partition key.", nameof(actions));
        }

        using var message = CreateBatchRequest(actions);
        var response = await SendAsync(message, cancellationToken);
        if (response.Status != 202)
        {
            throw Failure(response);
        }

        var results = TableTransactionBody.Read(response.Content.ToString());
        var failure = results.FirstOrDefault(result => result.Status >= 300);
        if (failure is not null)
        {
            var (errorCode, actionIndex) = TableTransactionBody.ReadError(failure.Body);
            throw Failure(failure.Status, errorCode, actionIndex);
        }

        if (results.Count != actions.Count)
        {
            throw new TableRequestException(response.Status, "UnexpectedTransactionResponse");
        }

        return results.Select((result, index) => actions[index].ActionType == TableTransactionActionType.Delete ? null : result.ETag).ToList();
    }

    private HttpMessage CreateCreateTableRequest()
    {
        var message = CreateMessage(RequestMethod.Post);
        message.Request.Uri.AppendPath("/Tables", escape: false);
        message.Request.Headers.Add("Prefer", "return-no-content");
        SetJsonContent(message.Request, JsonSerializer.SerializeToUtf8Bytes(new TableProperties(Name), TableJsonContext.Default.TableProperties));
        return message;
    }

    private HttpMessage CreateInsertEntityRequest(TableEntity entity)
    {
        var message = CreateMessage(RequestMethod.Post);
        message.Request.Uri.AppendPath("/" + Name, escape: false);
        message.Request.Headers.Add("Prefer", "return-no-content");
        SetJsonContent(message.Request, TableEntityJson.Write(entity));
        return message;
    }

    private HttpMessage CreateGetEntityRequest(string partitionKey, string rowKey)
    {
        var message = CreateMessage(RequestMethod.Get);
        message.Request.Uri.Reset(EntityUri(partitionKey, rowKey));
        return message;
    }

    private HttpMessage CreateQueryEntitiesRequest(string? filter, int? top, string? continuationToken, IReadOnlyList<string>? select)
    {
        var message = CreateMessage(RequestMethod.Get);
        var uri = message.Request.Uri;
        uri.AppendPath("/" + Name + "()", escape: false);
        if (filter is not null)
        {
            uri.AppendQuery("$filter", filter, escapeValue: true);
        }

        if (top is not null)
        {
            uri.AppendQuery("$top", top.Value.ToString(CultureInfo.InvariantCulture), escapeValue: false);
        }

        if (select is { Count: > 0 })
        {
            uri.AppendQuery("$select", string.Join(',', select), escapeValue: true);
        }

        if (continuationToken is not null)
        {
            var (nextPartitionKey, nextRowKey) = TableContinuationToken.Decode(continuationToken);
            uri.AppendQuery("NextPartitionKey", nextPartitionKey, escapeValue: true);
            if (nextRowKey.Length > 0)
            {
                uri.AppendQuery("NextRowKey", nextRowKey, escapeValue: true);
            }
        }

        return message;
    }

    private HttpMessage CreateWriteEntityRequest(TableEntity entity, TableUpdateMode mode, string? ifMatch)
    {
        var message = CreateMessage(mode == TableUpdateMode.Replace ? RequestMethod.Put : RequestMethod.Patch);
        message.Request.Uri.Reset(EntityUri(entity.PartitionKey, entity.RowKey));
        if (ifMatch is not null)
        {
            message.Request.Headers.Add("If-Match", ifMatch);
        }

        SetJsonContent(message.Request, TableEntityJson.Write(entity));
        return message;
    }

    private HttpMessage CreateDeleteEntityRequest(string partitionKey, string rowKey, string ifMatch)
    {
        var message = CreateMessage(RequestMethod.Delete);
        message.Request.Uri.Reset(EntityUri(partitionKey, rowKey));
        message.Request.Headers.Add("If-Match", ifMatch);
        return message;
    }

    private HttpMessage CreateBatchRequest(IReadOnlyList<TableTransactionAction> actions)
    {
        var boundary = $"batch_{Guid.NewGuid():N}";
        var message = CreateMessage(RequestMethod.Post);
        message.Request.Uri.AppendPath("/$batch", escape: false);
        message.Request.Headers.Add("Content-Type", $"multipart/mixed; boundary={boundary}");
        var tableUri = new Uri($"{_serviceUri.AbsoluteUri}/{Name}");
        message.Request.Content = RequestContent.Create(TableTransactionBody.Write(boundary, tableUri, entity => EntityUri(entity.PartitionKey, entity.RowKey), actions));
        return message;
    }

    private HttpMessage CreateMessage(RequestMethod method)
    {
        var message = _pipeline.CreateMessage();
        var request = message.Request;
        request.Method = method;
        request.Uri.Reset(_serviceUri);
        request.Headers.Add("x-ms-version", ApiVersion);
        request.Headers.Add("DataServiceVersion", "3.0");
        request.Headers.Add("MaxDataServiceVersion", "3.0;NetFx");
        request.Headers.Add("Accept", "application/json;odata=minimalmetadata");
        return message;
    }

    private static void SetJsonContent(Request request, byte[] json)
    {
        request.Headers.Add("Content-Type", "application/json");
        request.Content = RequestContent.Create(json);
    }

    /// <summary>Keys are OData string literals in the path: quotes doubled, then percent-encoded, as the SDK does.</summary>
    private Uri EntityUri(string partitionKey, string rowKey) =>
        new($"{_serviceUri.AbsoluteUri}/{Name}(PartitionKey='{EscapeKey(partitionKey)}',RowKey='{EscapeKey(rowKey)}')");

    private static string EscapeKey(string key) => Uri.EscapeDataString(key.Replace("'", "''", StringComparison.Ordinal));

    private Task<Response> SendAsync(HttpMessage message, CancellationToken cancellationToken) =>
        _pipeline.SendAsync(message, Dependency, cancellationToken);

    private static string ETag(Response response) =>
        response.Headers.TryGetValue("ETag", out var etag) ? etag : throw new TableRequestException(response.Status, "MissingETag");

    private static Exception Failure(Response response) => Failure(response.Status, ErrorCode(response), actionIndex: null);

    private static Exception Failure(int status, string? errorCode, int? actionIndex) => status switch
    {
        404 => new TableNotFoundException(errorCode, actionIndex),
        409 => new TableConflictException(errorCode, actionIndex),
        412 => new TablePreconditionFailedException(errorCode, actionIndex),
        >= 500 => new DependencyUnavailableException(Dependency, new TableRequestException(status, errorCode, actionIndex)),
        _ => new TableRequestException(status, errorCode, actionIndex),
    };

    private static string? ErrorCode(Response response)
    {
        if (response.Headers.TryGetValue("x-ms-error-code", out var code))
        {
            return code;
        }

        try
        {
            using var json = JsonDocument.Parse(response.Content.ToMemory());
            return json.RootElement.GetProperty("odata.error").GetProperty("code").GetString();
        }
        catch (Exception exception) when (exception is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return null;
        }
    }

    [GeneratedRegex(@"^[A-Za-z][A-Za-z0-9]{2,62}\z")]
    private static partial Regex ValidTableName();
}
