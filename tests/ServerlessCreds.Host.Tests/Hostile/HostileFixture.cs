using System.Buffers.Text;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using ServerlessCreds.Adapters.Tables;
using ServerlessCreds.Callers;
using ServerlessCreds.Host.Tests.Api;

namespace ServerlessCreds.Host.Tests.Hostile;

/// <summary>One host with a business unit that owns two applications, and a snapshot of everything stored.</summary>
public sealed class HostileFixture : IAsyncLifetime
{
    public const string Owner = "owner";
    public const string Stranger = "stranger";

    public ServerlessCredsApplication App { get; } = new();

    string applicationId = "";
    string secretId = "";
    string page = "";

    public async Task InitializeAsync()
    {
        await App.InitializeAsync();
        await App.ReadyAsync();
        using var client = App.CreateClient(Owner, Roles.Create, Roles.View);
        foreach (var name in new[] { "First", "Second" })
        {
            var created = await (await client.PostJsonAsync($"/api/business-units/{Owner}/applications", new
            {
                kind = "internal", vendorName = "Owner", applicationName = name, scopes = new[] { "Admin", "Agent" },
            })).ExpectAsync(HttpStatusCode.Created);
            applicationId = created.GetProperty("id").GetString()!;
            secretId = created.GetProperty("secretId").GetString()!;
        }

        var list = await (await client.GetAsync($"/api/business-units/{Owner}/applications?pageSize=1")).ExpectAsync(HttpStatusCode.OK);
        page = list.GetProperty("continuationToken").GetString()!;
    }

    Task IAsyncLifetime.DisposeAsync() => App.DisposeAsync().AsTask();

    public HttpRequestMessage Request(HostileInputTests.HostileRequest hostile)
    {
        var url = hostile.Url
            .Replace("{bu}", Owner, StringComparison.Ordinal)
            .Replace("{id}", applicationId, StringComparison.Ordinal)
            .Replace("{secretId}", secretId, StringComparison.Ordinal)
            .Replace("{page-truncated}", page[..^3], StringComparison.Ordinal)
            .Replace("{page-crlf}", Page(Owner, $"{Owner}\r\nX-Injected: 1", "a:"), StringComparison.Ordinal)
            .Replace("{page}", page, StringComparison.Ordinal);
        var request = new HttpRequestMessage(new HttpMethod(hostile.Method), new Uri(url, UriKind.Relative));
        if (hostile.Body is not null)
        {
            var bytes = Encoding.UTF8.GetBytes(hostile.Body);
            request.Content = hostile.Chunked ? new ChunkedContent(bytes) : new ByteArrayContent(bytes);
            if (hostile.ContentType is not null)
            {
                request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(hostile.ContentType);
            }
        }

        if (hostile.Authorization(this) is { } authorization)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        hostile.Configure?.Invoke(request);
        return request;
    }

    /// <summary>A continuation token as the application list wraps it, naming any business unit and table position.</summary>
    static string Page(string businessUnit, string nextPartitionKey, string nextRowKey) =>
        Base64Url.EncodeToString(Encoding.UTF8.GetBytes(
            $"{businessUnit}\n{Base64Url.EncodeToString(Encoding.UTF8.GetBytes(nextPartitionKey))}.{Base64Url.EncodeToString(Encoding.UTF8.GetBytes(nextRowKey))}"));

    /// <summary>
    /// Every row of every table (keys and ETags, which change on any write) but the scope catalog, which the host seeds in the
    /// background after start, and every vault secret.
    /// </summary>
    public async Task<string> SnapshotAsync()
    {
        var lines = new List<string>();
        var tables = App.Services.GetRequiredService<StorageTables>();
        foreach (var table in tables.All.Where(table => table != tables.Scopes))
        {
            lines.AddRange((await table.ReadAllAsync()).Select(row => $"{table.Name} {row.PartitionKey} {row.RowKey} {row.ETag}"));
        }

        lines.AddRange(App.Vault.Secrets.Select(s => $"vault {s.Name} {s.Enabled}"));
        return string.Join('\n', lines);
    }

    /// <summary>A body sent without Content-Length, as a client streaming it would.</summary>
    sealed class ChunkedContent(byte[] bytes) : HttpContent
    {
        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => stream.WriteAsync(bytes).AsTask();

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
