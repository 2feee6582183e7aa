using System.Net;
using System.Text.Json;

namespace ServerlessCreds.Host.Tests.Authentication;

static class ProblemAssert
{
    /// <summary>A 401 for a rejected token: the invalid_token challenge and a problem+json body with <paramref name="detail"/>.</summary>
    public static async Task InvalidTokenAsync(HttpResponseMessage response, string detail)
    {
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal($"Bearer error=\"invalid_token\", error_description=\"{detail}\"", Assert.Single(response.Headers.WwwAuthenticate).ToString());
        await BodyAsync(response, 401, "Unauthorized", detail);
    }

    public static async Task<JsonElement> BodyAsync(HttpResponseMessage response, int status, string title, string detail)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var problem = body.RootElement;
        Assert.Equal(status, problem.GetProperty("status").GetInt32());
        Assert.Equal(title, problem.GetProperty("title").GetString());
        Assert.Equal(detail, problem.GetProperty("detail").GetString());
        Assert.StartsWith("https://tools.ietf.org/html/rfc9110#section-15.5.", problem.GetProperty("type").GetString(), StringComparison.Ordinal);
        return problem.Clone();
    }
}
