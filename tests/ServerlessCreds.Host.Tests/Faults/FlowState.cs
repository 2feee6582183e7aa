using System.Net;
using ServerlessCreds.Host.Tests.Api;

namespace ServerlessCreds.Host.Tests.Faults;

/// <summary>What must hold after any fault: every application has its secret metadata, and vault and tables agree on every secret.</summary>
static class FlowState
{
    public static async Task AssertConsistentAsync(ServerlessCredsApplication app, HttpClient client, string businessUnit)
    {
        var applications = $"/api/business-units/{businessUnit}/applications";
        var listed = await (await client.GetAsync($"{applications}?pageSize=100")).ExpectAsync(HttpStatusCode.OK);
        var known = new HashSet<string>();
        foreach (var application in listed.GetProperty("items").EnumerateArray())
        {
            var id = application.GetProperty("id").GetString()!;
            var secrets = await (await client.GetAsync($"{applications}/{id}/secrets")).ExpectAsync(HttpStatusCode.OK);
            Assert.NotEmpty(secrets.GetProperty("items").EnumerateArray());
            foreach (var secret in secrets.GetProperty("items").EnumerateArray())
            {
                var secretId = secret.GetProperty("secretId").GetString()!;
                known.Add(secretId);
                var stored = Assert.Single(app.Vault.Secrets, s => s.Tags.GetValueOrDefault("secretId") == secretId);
                Assert.Equal(secret.GetProperty("state").GetString() == "active", stored.Enabled);
            }
        }

        Assert.All(
            app.Vault.Secrets.Where(s => s.Enabled && s.Tags.GetValueOrDefault("businessUnit") == businessUnit),
            s => Assert.Contains(s.Tags["secretId"], known));
    }
}
