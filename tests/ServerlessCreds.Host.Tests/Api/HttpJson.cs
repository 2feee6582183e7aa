using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace ServerlessCreds.Host.Tests.Api;

/// <summary>Tests read bodies as raw JSON so they assert the wire contract, not our C# types.</summary>
static class HttpJson
{
    public static async Task<JsonElement> ReadJsonAsync(this HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }

    public static Task<HttpResponseMessage> PostJsonAsync(this HttpClient client, string url, string json) =>
        client.PostAsync(url, new StringContent(json, Encoding.UTF8, "application/json"));

    public static Task<HttpResponseMessage> PostJsonAsync(this HttpClient client, string url, object body) =>
        client.PostAsJsonAsync(url, body);

    public static async Task<JsonElement> ExpectAsync(this HttpResponseMessage response, HttpStatusCode status)
    {
        var body = await response.ReadJsonAsync();
        Assert.True(response.StatusCode == status, $"Expected {(int)status}, got {(int)response.StatusCode}: {body}");
        return body;
    }

    /// <summary>Asserts an RFC 9457 problem body with the given status, returning it.</summary>
    public static async Task<JsonElement> ExpectProblemAsync(this HttpResponseMessage response, HttpStatusCode status)
    {
        var body = await response.ExpectAsync(status);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal((int)status, body.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(body.GetProperty("title").GetString()));
        Assert.False(string.IsNullOrEmpty(body.GetProperty("traceId").GetString()));
        return body;
    }

    /// <summary>Follows a list's continuation tokens to its end, returning each page's items.</summary>
    public static async Task<List<List<JsonElement>>> ReadPagesAsync(this HttpClient client, string url, int pageSize)
    {
        var pages = new List<List<JsonElement>>();
        string? token = null;
        do
        {
            var page = await (await client.GetAsync($"{url}?pageSize={pageSize}" + (token is null ? "" : $"&continuationToken={Uri.EscapeDataString(token)}")))
                .ExpectAsync(HttpStatusCode.OK);
            pages.Add([.. page.GetProperty("items").EnumerateArray()]);
            token = page.GetProperty("continuationToken").GetString();
        }
        while (token is not null);

        return pages;
    }

    public static IReadOnlyList<string> Strings(this JsonElement array) => array.EnumerateArray().Select(e => e.GetString()!).ToList();
}
