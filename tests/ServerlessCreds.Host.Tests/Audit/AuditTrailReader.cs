using System.Net;
using System.Text.Json;
using ServerlessCreds.Host.Tests.Api;

namespace ServerlessCreds.Host.Tests.Audit;

/// <summary>Reads audit logs through the API, and sends requests with a chosen correlation id.</summary>
static class AuditTrailReader
{
    public static async Task<IReadOnlyList<JsonElement>> ReadAsync(HttpClient client, string businessUnit, string query = "")
    {
        var page = await (await client.GetAsync($"/api/business-units/{businessUnit}/audit{query}")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(JsonValueKind.Null, page.GetProperty("continuationToken").ValueKind);
        return page.GetProperty("items").EnumerateArray().ToList();
    }

    public static Task<HttpResponseMessage> SendAsync(HttpClient client, HttpMethod method, string url, string correlationId, object? body = null)
    {
        var request = new HttpRequestMessage(method, url) { Content = body is null ? null : System.Net.Http.Json.JsonContent.Create(body) };
        request.Headers.Add("X-Correlation-Id", correlationId);
        return client.SendAsync(request);
    }

    public static string Describe(JsonElement entry) =>
        $"{entry.GetProperty("action").GetString()} {entry.GetProperty("targetType").GetString()}:{entry.GetProperty("targetId").GetString()} " +
        $"{entry.GetProperty("outcome").GetString()} by {entry.GetProperty("actorId").GetString()} [{entry.GetProperty("correlationId").GetString()}]";
}
