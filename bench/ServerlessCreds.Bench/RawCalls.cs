using System.Text.RegularExpressions;
using Azure;
using Azure.Security.KeyVault.Secrets;
using ServerlessCreds.Adapters.Queues;
using ServerlessCreds.Adapters.Tables;

namespace ServerlessCreds.Bench;

/// <summary>
/// The ceiling: the round trips an endpoint made (as <see cref="HttpTraffic"/> saw them), made again directly with our
/// TableClient / QueueClient and the SecretClient, one after another. Reads repeat the same keys; writes go to scratch rows,
/// a scratch queue and scratch secrets of the same shape, so the raw calls do the same kind of work.
/// </summary>
sealed partial class RawCalls(Dependencies dependencies)
{
    const string ScratchPartition = "bench-raw";
    readonly Dictionary<string, TableClient> tables = [];
    readonly QueueClient scratchQueue = new(dependencies.Account, "bench-raw");
    readonly SecretClient secrets = dependencies.SecretClient();

    public async Task PrepareAsync() => await scratchQueue.CreateIfNotExistsAsync();

    public bool IsDependency(OutgoingCall call) =>
        call.Port == dependencies.Azurite.TablePort || call.Port == dependencies.Azurite.QueuePort || call.Port == dependencies.Vault.VaultUri.Port;

    public string DependencyOf(OutgoingCall call) =>
        call.Port == dependencies.Azurite.TablePort ? "table" : call.Port == dependencies.Azurite.QueuePort ? "queue" : call.Port == dependencies.Vault.VaultUri.Port ? "vault" : "other";

    /// <summary>A short description of a call, for the report: method and path without the account or keys.</summary>
    public string Describe(OutgoingCall call)
    {
        var path = Uri.UnescapeDataString(call.Url.AbsolutePath);
        var table = TablePath().Match(path);
        if (call.Port == dependencies.Azurite.TablePort && table.Success)
        {
            var kind = table.Groups["keys"].Success ? (table.Groups["keys"].Value.Length == 0 ? "query" : "entity") : "";
            return $"table {call.Method} {table.Groups["table"].Value}{(kind.Length > 0 ? " " + kind : "")}";
        }

        return $"{DependencyOf(call)} {call.Method} {string.Join('/', path.Split('/').Skip(call.Port == dependencies.Vault.VaultUri.Port ? 1 : 2).Take(1))}";
    }

    /// <summary>Makes the same sequence of round trips directly.</summary>
    public async Task ReplayAsync(IReadOnlyList<OutgoingCall> sequence)
    {
        foreach (var call in sequence)
        {
            try
            {
                await ReplayAsync(call);
            }
            catch (Exception e) when (e is TableRequestException or RequestFailedException or QueueRequestException)
            {
                // Refusals (404, 409, 412) are round trips too; the endpoint saw the same ones.
            }
        }
    }

    async Task ReplayAsync(OutgoingCall call)
    {
        var path = Uri.UnescapeDataString(call.Url.AbsolutePath);
        if (call.Port == dependencies.Azurite.QueuePort)
        {
            await (call.Method switch
            {
                "POST" => scratchQueue.SendAsync("{\"businessUnit\":\"bench\",\"applicationId\":\"0123456789abcdef0123456789abcdef\",\"deliveryId\":\"0123456789abcdef0123456789abcdef\"}"),
                _ => throw new NotSupportedException($"No raw equivalent for queue {call.Method}"),
            });
            return;
        }

        if (call.Port == dependencies.Vault.VaultUri.Port)
        {
            var segments = path.Trim('/').Split('/');
            switch (call.Method, segments.Length)
            {
                case ("GET", 3) when segments[2] != "versions":
                    await secrets.GetSecretAsync(segments[1], segments[2]);
                    return;
                case ("GET", 2):
                    await secrets.GetSecretAsync(segments[1]);
                    return;
                case ("PUT", 2):
                    await secrets.SetSecretAsync(new KeyVaultSecret($"bench-raw-{Guid.NewGuid():N}", Convert.ToHexString(Guid.NewGuid().ToByteArray())) { Properties = { ContentType = "text/plain" } });
                    return;
                default:
                    throw new NotSupportedException($"No raw equivalent for vault {call.Method} {path}");
            }
        }

        if (path.EndsWith("/$batch", StringComparison.Ordinal))
        {
            await Table("Applications").SubmitTransactionAsync(
                [new(TableTransactionActionType.Add, Scratch()), new(TableTransactionActionType.Add, Scratch())]);
            return;
        }

        var match = TablePath().Match(path);
        if (!match.Success)
        {
            throw new NotSupportedException($"No raw equivalent for table {call.Method} {path}");
        }

        var table = Table(match.Groups["table"].Value);
        var keys = match.Groups["keys"];
        switch (call.Method)
        {
            case "GET" when keys.Success && keys.Value.Length > 0:
                var key = KeyPattern().Match(keys.Value);
                await table.GetAsync(key.Groups["pk"].Value.Replace("''", "'", StringComparison.Ordinal), key.Groups["rk"].Value.Replace("''", "'", StringComparison.Ordinal));
                return;
            case "GET":
                var query = System.Web.HttpUtility.ParseQueryString(call.Url.Query);
                await table.QueryAsync(query["$filter"], int.TryParse(query["$top"], out var top) ? top : null, select: query["$select"]?.Split(','));
                return;
            case "POST":
                await table.AddAsync(Scratch());
                return;
            case "PUT" or "MERGE" or "PATCH":
                await table.UpsertAsync(Scratch());
                return;
            case "DELETE":
                var row = Scratch();
                await table.AddAsync(row);
                await table.DeleteAsync(row.PartitionKey, row.RowKey);
                return;
            default:
                throw new NotSupportedException($"No raw equivalent for table {call.Method} {path}");
        }
    }

    TableClient Table(string name)
    {
        lock (tables)
        {
            return tables.TryGetValue(name, out var table) ? table : tables[name] = new TableClient(dependencies.Account, name);
        }
    }

    static TableEntity Scratch() => new(ScratchPartition, Guid.NewGuid().ToString("N"))
    {
        ["Kind"] = "Internal",
        ["VendorName"] = "Contoso",
        ["ApplicationName"] = "Bench raw row",
        ["Scopes"] = "[\"Admin\"]",
        ["ClientId"] = Guid.NewGuid().ToString(),
        ["CreatedAt"] = DateTimeOffset.UtcNow,
        ["CreatedBy"] = "bench",
    };

    [GeneratedRegex(@"^/[^/]+/(?<table>[A-Za-z][A-Za-z0-9]+)(\((?<keys>[^)]*)\))?$")]
    private static partial Regex TablePath();

    [GeneratedRegex(@"PartitionKey='(?<pk>(?:[^']|'')*)',RowKey='(?<rk>(?:[^']|'')*)'")]
    private static partial Regex KeyPattern();
}
