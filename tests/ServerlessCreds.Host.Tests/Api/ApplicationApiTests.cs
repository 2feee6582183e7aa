using System.Net;
using System.Text.Json;
using ServerlessCreds.Callers;

namespace ServerlessCreds.Host.Tests.Api;

public sealed class ApplicationApiTests(ServerlessCredsApplication app) : IClassFixture<ServerlessCredsApplication>
{
    readonly string bu = $"bu{Guid.NewGuid():N}"[..20];

    string Applications => $"/api/business-units/{bu}/applications";

    HttpClient Admin() => app.CreateClient(bu, Roles.View, Roles.Create, Roles.Edit, Roles.Delete);

    static object Internal(string name = "Agent plug-in", string[]? scopes = null, string[]? callbackUrls = null) => new
    {
        kind = "internal",
        vendorName = "Contoso",
        applicationName = name,
        scopes = scopes ?? ["RealTime", "Agent"],
        callbackUrls = callbackUrls ?? [],
    };

    async Task<JsonElement> CreateAsync(HttpClient client, object body) =>
        await (await client.PostJsonAsync(Applications, body)).ExpectAsync(HttpStatusCode.Created);

    [Fact]
    public async Task Creating_an_internal_application_returns_it_with_a_generated_client_id_location_and_etag()
    {
        await app.ReadyAsync();
        using var client = Admin();
        string[] urls = ["https://a.example.com/cb", "https://b.example.com/cb", "https://c.example.com/cb", "http://localhost:5000/cb", "http://127.0.0.1/cb"];

        var response = await client.PostJsonAsync(Applications, Internal(scopes: ["realtime", "Agent"], callbackUrls: urls));
        var body = await response.ExpectAsync(HttpStatusCode.Created);

        var id = body.GetProperty("id").GetString()!;
        Assert.Equal($"{Applications}/{id}", response.Headers.Location?.OriginalString);
        Assert.NotNull(response.Headers.ETag);
        Assert.Equal("internal", body.GetProperty("kind").GetString());
        Assert.Equal(["RealTime", "Agent"], body.GetProperty("scopes").Strings());
        Assert.Equal(urls, body.GetProperty("callbackUrls").Strings());
        Assert.Matches("^[0-9a-f]{32}$", body.GetProperty("clientId").GetString());
        Assert.True(body.GetProperty("enabled").GetBoolean());
        Assert.False(body.TryGetProperty("externalApplicationId", out _));
        Assert.StartsWith("user-", body.GetProperty("createdBy").GetString());
    }

    [Fact]
    public async Task Names_with_characters_table_keys_forbid_round_trip_unchanged()
    {
        await app.ReadyAsync();
        using var client = Admin();
        const string name = "Ops / Support \\ #1? 🚀 O'Brien";

        var created = await CreateAsync(client, Internal(name));
        var read = await (await client.GetAsync($"{Applications}/{created.GetProperty("id").GetString()}")).ExpectAsync(HttpStatusCode.OK);

        Assert.Equal(name, read.GetProperty("applicationName").GetString());
    }

    [Fact]
    public async Task Client_ids_are_unique_across_applications()
    {
        await app.ReadyAsync();
        using var client = Admin();
        var ids = new HashSet<string>();
        for (var i = 0; i < 10; i++)
        {
            ids.Add((await CreateAsync(client, Internal())).GetProperty("clientId").GetString()!);
        }

        Assert.Equal(10, ids.Count);
    }

    public static TheoryData<string, string> InvalidBodies => new()
    {
        { """{"vendorName":"V","applicationName":"A","scopes":["Admin"]}""", "kind" },
        { """{"kind":"partner","vendorName":"V","applicationName":"A","scopes":["Admin"]}""", "kind" },
        { """{"kind":"internal","applicationName":"A","scopes":["Admin"]}""", "vendorName" },
        { $$"""{"kind":"internal","vendorName":"{{new string('v', 101)}}","applicationName":"A","scopes":["Admin"]}""", "vendorName" },
        { """{"kind":"internal","vendorName":"V\u0007","applicationName":"A","scopes":["Admin"]}""", "vendorName" },
        { """{"kind":"internal","vendorName":"V","applicationName":"","scopes":["Admin"]}""", "applicationName" },
        { """{"kind":"internal","vendorName":"V","applicationName":"A","scopes":[]}""", "scopes" },
        { """{"kind":"internal","vendorName":"V","applicationName":"A"}""", "scopes" },
        { """{"kind":"internal","vendorName":"V","applicationName":"A","scopes":["NoSuchScope"]}""", "scopes" },
        { """{"kind":"internal","vendorName":"V","applicationName":"A","scopes":["Admin","admin"]}""", "scopes" },
        { $$"""{"kind":"internal","vendorName":"V","applicationName":"A","scopes":[{{string.Join(",", Enumerable.Repeat("\"Admin\"", 21))}}]}""", "scopes" },
        { """{"kind":"internal","vendorName":"V","applicationName":"A","scopes":["Admin"],"callbackUrls":["https://a.com/1","https://a.com/2","https://a.com/3","https://a.com/4","https://a.com/5","https://a.com/6"]}""", "callbackUrls" },
        { """{"kind":"internal","vendorName":"V","applicationName":"A","scopes":["Admin"],"callbackUrls":["https://Example.COM/cb","HTTPS://example.com/cb"]}""", "callbackUrls" },
        { """{"kind":"internal","vendorName":"V","applicationName":"A","scopes":["Admin"],"callbackUrls":["http://example.com/cb"]}""", "callbackUrls" },
        { """{"kind":"internal","vendorName":"V","applicationName":"A","scopes":["Admin"],"callbackUrls":["/relative/cb"]}""", "callbackUrls" },
        { """{"kind":"internal","vendorName":"V","applicationName":"A","scopes":["Admin"],"callbackUrls":["https://example.com/cb#frag"]}""", "callbackUrls" },
        { $$"""{"kind":"internal","vendorName":"V","applicationName":"A","scopes":["Admin"],"callbackUrls":["https://example.com/{{new string('a', 2040)}}"]}""", "callbackUrls" },
        { """{"kind":"internal","vendorName":"V","applicationName":"A","scopes":["Admin"],"clientId":"mine"}""", "clientId" },
        { """{"kind":"internal","vendorName":"V","applicationName":"A","scopes":"Admin"}""", "scopes" },
        { """{"kind":"external"}""", "externalApplicationId" },
        { """{"kind":"external","externalApplicationId":"nope"}""", "externalApplicationId" },
    };

    [Theory]
    [MemberData(nameof(InvalidBodies))]
    public async Task Invalid_applications_are_refused_naming_the_field_and_nothing_is_stored(string json, string field)
    {
        await app.ReadyAsync();
        using var client = Admin();

        var problem = await (await client.PostJsonAsync(Applications, json)).ExpectProblemAsync(HttpStatusCode.BadRequest);

        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out var messages), $"errors should name '{field}': {problem}");
        Assert.NotEmpty(messages.EnumerateArray());
        var list = await (await client.GetAsync(Applications)).ExpectAsync(HttpStatusCode.OK);
        Assert.Empty(list.GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task Every_response_carrying_a_client_secret_forbids_caching_replays_too()
    {
        await app.ReadyAsync();
        using var client = Admin();

        async Task<HttpResponseMessage> PostAsync(string url, string json)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = JsonContent(json) };
            request.Headers.Add("Idempotency-Key", $"key-{url}");
            return await client.SendAsync(request);
        }

        var body = JsonSerializer.Serialize(Internal());
        var created = await PostAsync(Applications, body);
        var replayed = await PostAsync(Applications, body);
        var secrets = $"{created.Headers.Location!.OriginalString}/secrets";
        var rotated = await PostAsync(secrets, """{"expiresInDays":30}""");
        var rotationReplayed = await PostAsync(secrets, """{"expiresInDays":30}""");

        foreach (var response in new[] { created, replayed, rotated, rotationReplayed })
        {
            var json = await response.ExpectAsync(HttpStatusCode.Created);
            Assert.False(string.IsNullOrEmpty(json.GetProperty("clientSecret").GetString()));
            Assert.True(response.Headers.CacheControl?.NoStore, $"{response.RequestMessage!.RequestUri}: Cache-Control is '{response.Headers.CacheControl}'");
        }

        Assert.True(rotationReplayed.Headers.Contains("Idempotent-Replayed"));
    }

    [Fact]
    public async Task If_match_with_a_list_applies_when_any_listed_etag_is_current_but_never_for_a_weak_one()
    {
        await app.ReadyAsync();
        using var client = Admin();
        var created = await client.PostJsonAsync(Applications, Internal());
        var url = created.Headers.Location!.OriginalString;
        var etag = created.Headers.ETag!.ToString();

        using var weak = new HttpRequestMessage(HttpMethod.Patch, url) { Content = JsonContent("""{"applicationName":"Weak"}""") };
        weak.Headers.TryAddWithoutValidation("If-Match", $"\"other\", W/{etag}");
        await (await client.SendAsync(weak)).ExpectProblemAsync(HttpStatusCode.PreconditionFailed);

        using var listed = new HttpRequestMessage(HttpMethod.Patch, url) { Content = JsonContent("""{"applicationName":"Listed"}""") };
        listed.Headers.TryAddWithoutValidation("If-Match", $"\"other\", {etag}");
        var patched = await (await client.SendAsync(listed)).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("Listed", patched.GetProperty("applicationName").GetString());

        using var stale = new HttpRequestMessage(HttpMethod.Patch, url) { Content = JsonContent("""{"applicationName":"Stale"}""") };
        stale.Headers.TryAddWithoutValidation("If-Match", $"\"other\",{etag}");
        await (await client.SendAsync(stale)).ExpectProblemAsync(HttpStatusCode.PreconditionFailed);
    }

    [Fact]
    public async Task Callback_urls_are_limited_in_their_stored_form_so_five_long_non_ascii_urls_get_400_not_500()
    {
        await app.ReadyAsync();
        using var client = Admin();
        // 2016 characters each as sent, over 12000 once percent-encoded as stored.
        var urls = Enumerable.Range(1, 5).Select(i => $"https://a.example.com/{i}/" + new string('\u00e9', 2000)).ToArray();

        var problem = await (await client.PostJsonAsync(Applications, Internal(callbackUrls: urls))).ExpectProblemAsync(HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("callbackUrls", out _), problem.ToString());

        var fits = "https://a.example.com/" + new string('\u00e9', 337);
        var created = await CreateAsync(client, Internal(callbackUrls: [fits]));
        Assert.Equal(2044, created.GetProperty("callbackUrls")[0].GetString()!.Length);
        var over = "https://a.example.com/" + new string('\u00e9', 338);
        await (await client.PostJsonAsync(Applications, Internal(callbackUrls: [over]))).ExpectProblemAsync(HttpStatusCode.BadRequest);
    }

    [Theory]
    [InlineData("vendorName")]
    [InlineData("applicationName")]
    public async Task A_name_of_few_characters_but_a_flood_of_combining_marks_gets_400(string field)
    {
        await app.ReadyAsync();
        using var client = Admin();
        var flood = "a" + new string('\u0301', 3000);
        var body = field == "vendorName"
            ? new { kind = "internal", vendorName = flood, applicationName = "A", scopes = new[] { "Agent" } }
            : new { kind = "internal", vendorName = "V", applicationName = flood, scopes = new[] { "Agent" } };

        var problem = await (await client.PostJsonAsync(Applications, body)).ExpectProblemAsync(HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());

        // Accents and emoji still count as a person would: 100 of them fit.
        await CreateAsync(client, new { kind = "internal", vendorName = string.Concat(Enumerable.Repeat("e\u0301", 100)), applicationName = string.Concat(Enumerable.Repeat("\U0001F44D\U0001F3FD", 100)), scopes = new[] { "Agent" } });
    }

    [Fact]
    public async Task Patch_with_the_current_etag_applies_and_a_stale_etag_gets_412()
    {
        await app.ReadyAsync();
        using var client = Admin();
        var created = await client.PostJsonAsync(Applications, Internal());
        var url = created.Headers.Location!.OriginalString;
        var firstETag = created.Headers.ETag!.ToString();

        using var patch = new HttpRequestMessage(HttpMethod.Patch, url) { Content = JsonContent("""{"applicationName":"Renamed","enabled":false}""") };
        patch.Headers.TryAddWithoutValidation("If-Match", firstETag);
        var patched = await client.SendAsync(patch);
        var body = await patched.ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("Renamed", body.GetProperty("applicationName").GetString());
        Assert.False(body.GetProperty("enabled").GetBoolean());
        Assert.NotEqual(firstETag, patched.Headers.ETag!.ToString());

        using var stale = new HttpRequestMessage(HttpMethod.Patch, url) { Content = JsonContent("""{"applicationName":"Lost update"}""") };
        stale.Headers.TryAddWithoutValidation("If-Match", firstETag);
        await (await client.SendAsync(stale)).ExpectProblemAsync(HttpStatusCode.PreconditionFailed);

        var read = await (await client.GetAsync(url)).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("Renamed", read.GetProperty("applicationName").GetString());
    }

    [Fact]
    public async Task Patch_validates_like_create_and_rejects_unknown_members()
    {
        await app.ReadyAsync();
        using var client = Admin();
        var url = (await client.PostJsonAsync(Applications, Internal())).Headers.Location!.OriginalString;

        var badUrl = await (await client.PatchAsync(url, JsonContent("""{"callbackUrls":["ftp://x.example.com"]}"""))).ExpectProblemAsync(HttpStatusCode.BadRequest);
        Assert.True(badUrl.GetProperty("errors").TryGetProperty("callbackUrls", out _));
        var massAssignment = await (await client.PatchAsync(url, JsonContent("""{"clientId":"chosen"}"""))).ExpectProblemAsync(HttpStatusCode.BadRequest);
        Assert.True(massAssignment.GetProperty("errors").TryGetProperty("clientId", out _));
    }

    [Fact]
    public async Task Scopes_are_added_idempotently_and_the_last_one_cannot_be_removed()
    {
        await app.ReadyAsync();
        using var client = Admin();
        var url = (await client.PostJsonAsync(Applications, Internal(scopes: ["Admin"]))).Headers.Location!.OriginalString;

        var added = await (await client.PutAsync($"{url}/scopes/reporting", null)).ExpectAsync(HttpStatusCode.OK);
        var again = await (await client.PutAsync($"{url}/scopes/Reporting", null)).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(["Admin", "Reporting"], added.GetProperty("scopes").Strings());
        Assert.Equal(["Admin", "Reporting"], again.GetProperty("scopes").Strings());

        var unknown = await (await client.PutAsync($"{url}/scopes/Nope", null)).ExpectProblemAsync(HttpStatusCode.BadRequest);
        Assert.True(unknown.GetProperty("errors").TryGetProperty("scope", out _));

        var removed = await (await client.DeleteAsync($"{url}/scopes/Admin")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(["Reporting"], removed.GetProperty("scopes").Strings());
        await (await client.DeleteAsync($"{url}/scopes/Reporting")).ExpectProblemAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Deleted_applications_are_gone()
    {
        await app.ReadyAsync();
        using var client = Admin();
        var url = (await client.PostJsonAsync(Applications, Internal())).Headers.Location!.OriginalString;

        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync(url)).StatusCode);

        await (await client.GetAsync(url)).ExpectProblemAsync(HttpStatusCode.NotFound);
        await (await client.DeleteAsync(url)).ExpectProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Lists_page_through_120_applications_with_continuation_tokens()
    {
        await app.ReadyAsync();
        using var client = Admin();
        await Task.WhenAll(Enumerable.Range(0, 120).Select(i => CreateAsync(client, Internal($"App {i}"))));

        var pages = await client.ReadPagesAsync(Applications, 50);

        Assert.Equal(120, pages.SelectMany(page => page).Select(a => a.GetProperty("id").GetString()).Distinct().Count());
        Assert.Equal(3, pages.Count);
    }

    [Theory]
    [InlineData("pageSize=0", "pageSize")]
    [InlineData("pageSize=201", "pageSize")]
    [InlineData("continuationToken=not-a-token", "continuationToken")]
    [InlineData("continuationToken=b3RoZXJidQpYWFg", "continuationToken")]
    public async Task Bad_paging_parameters_are_refused(string query, string field)
    {
        await app.ReadyAsync();
        using var client = Admin();

        var problem = await (await client.GetAsync($"{Applications}?{query}")).ExpectProblemAsync(HttpStatusCode.BadRequest);

        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
    }

    [Fact]
    public async Task A_continuation_token_from_another_business_unit_is_refused()
    {
        await app.ReadyAsync();
        var otherBu = $"bu{Guid.NewGuid():N}"[..20];
        using var other = app.CreateClient(otherBu, Roles.View, Roles.Create);
        for (var i = 0; i < 3; i++)
        {
            await (await other.PostJsonAsync($"/api/business-units/{otherBu}/applications", Internal())).ExpectAsync(HttpStatusCode.Created);
        }

        var page = await (await other.GetAsync($"/api/business-units/{otherBu}/applications?pageSize=1")).ExpectAsync(HttpStatusCode.OK);
        var foreignToken = page.GetProperty("continuationToken").GetString()!;

        using var client = Admin();
        await (await client.GetAsync($"{Applications}?continuationToken={Uri.EscapeDataString(foreignToken)}")).ExpectProblemAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task A_secret_list_continuation_token_from_another_business_unit_is_refused_and_shows_none_of_its_secrets()
    {
        await app.ReadyAsync();
        var otherBu = $"bu{Guid.NewGuid():N}"[..20];
        using var other = app.CreateClient(otherBu, Roles.View, Roles.Create, Roles.Edit);
        var theirs = await (await other.PostJsonAsync($"/api/business-units/{otherBu}/applications", Internal())).ExpectAsync(HttpStatusCode.Created);
        var theirSecrets = $"/api/business-units/{otherBu}/applications/{theirs.GetProperty("id").GetString()}/secrets";
        await (await other.PostJsonAsync(theirSecrets, "{}")).ExpectAsync(HttpStatusCode.Created);
        var firstPage = await (await other.GetAsync($"{theirSecrets}?pageSize=1")).ExpectAsync(HttpStatusCode.OK);
        var foreignToken = firstPage.GetProperty("continuationToken").GetString()!;

        using var client = Admin();
        var mine = (await CreateAsync(client, Internal())).GetProperty("id").GetString();
        await (await client.PostJsonAsync($"{Applications}/{mine}/secrets", "{}")).ExpectAsync(HttpStatusCode.Created);
        var response = await client.GetAsync($"{Applications}/{mine}/secrets?pageSize=1&continuationToken={Uri.EscapeDataString(foreignToken)}");

        // A problem lists nothing, so the refusal itself shows none of their secrets.
        var problem = await response.ExpectProblemAsync(HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("continuationToken", out _), problem.ToString());
        // Their own list takes the token and goes on to their second secret: it was refused for its business unit, not as spoilt.
        var theirNextPage = await (await other.GetAsync($"{theirSecrets}?pageSize=1&continuationToken={Uri.EscapeDataString(foreignToken)}"))
            .ExpectAsync(HttpStatusCode.OK);
        Assert.NotEqual(
            Assert.Single(firstPage.GetProperty("items").EnumerateArray()).GetProperty("secretId").GetString(),
            Assert.Single(theirNextPage.GetProperty("items").EnumerateArray()).GetProperty("secretId").GetString());
    }

    [Fact]
    public async Task External_applications_take_their_details_from_the_catalog()
    {
        await app.ReadyAsync();
        using var platform = app.CreateClient(null, Roles.PlatformAdmin);
        var entry = await (await platform.PostJsonAsync("/api/external-applications", new
        {
            vendorName = "CRM Inc",
            applicationName = "Agent plug-in for CRM",
            description = "Screen pops",
            scopes = new[] { "Agent", "RealTime" },
            callbackUrls = new[] { "https://crm.example.com/oauth" },
        })).ExpectAsync(HttpStatusCode.Created);

        using var client = Admin();
        var created = await CreateAsync(client, new { kind = "external", externalApplicationId = entry.GetProperty("id").GetString() });

        Assert.Equal("external", created.GetProperty("kind").GetString());
        Assert.Equal(entry.GetProperty("id").GetString(), created.GetProperty("externalApplicationId").GetString());
        Assert.Equal("CRM Inc", created.GetProperty("vendorName").GetString());
        Assert.Equal(["Agent", "RealTime"], created.GetProperty("scopes").Strings());
        Assert.Equal(["https://crm.example.com/oauth"], created.GetProperty("callbackUrls").Strings());

        var rename = await (await client.PatchAsync(
            $"{Applications}/{created.GetProperty("id").GetString()}", JsonContent("""{"applicationName":"Mine now"}"""))).ExpectProblemAsync(HttpStatusCode.BadRequest);
        Assert.True(rename.GetProperty("errors").TryGetProperty("applicationName", out _));
    }

    [Fact]
    public async Task Bodies_over_64_KiB_get_413_and_non_json_gets_415()
    {
        await app.ReadyAsync();
        using var client = Admin();

        var huge = $$"""{"kind":"internal","vendorName":"{{new string('x', 70_000)}}"}""";
        await (await client.PostJsonAsync(Applications, huge)).ExpectProblemAsync(HttpStatusCode.RequestEntityTooLarge);

        using var text = new StringContent("kind=internal", System.Text.Encoding.UTF8, "text/plain");
        await (await client.PostAsync(Applications, text)).ExpectProblemAsync(HttpStatusCode.UnsupportedMediaType);
    }

    [Fact]
    public async Task Every_response_carries_the_correlation_id_echoed_from_the_request()
    {
        await app.ReadyAsync();
        using var client = Admin();
        client.DefaultRequestHeaders.Add("X-Correlation-Id", "corr-123");

        var ok = await client.GetAsync(Applications);
        var notFound = await client.GetAsync($"{Applications}/missing");
        using var anonymous = app.CreateClient();
        var minted = await anonymous.GetAsync("/api/health");

        Assert.Equal("corr-123", ok.Headers.GetValues("X-Correlation-Id").Single());
        Assert.Equal("corr-123", notFound.Headers.GetValues("X-Correlation-Id").Single());
        Assert.False(string.IsNullOrEmpty(minted.Headers.GetValues("X-Correlation-Id").Single()));
    }

    static StringContent JsonContent(string json) => new(json, System.Text.Encoding.UTF8, "application/json");
}
