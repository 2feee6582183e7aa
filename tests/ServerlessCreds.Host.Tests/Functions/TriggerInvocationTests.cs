using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using ServerlessCreds.Adapters.Queues;
using ServerlessCreds.Adapters.Storage;
using ServerlessCreds.Host.Functions;
using ServerlessCreds.Testing.Azurite;

namespace ServerlessCreds.Host.Tests.Functions;

/// <summary>Under the Functions host: the host's own JSON payloads posted to /{FunctionName}, as its HTTP worker sends them.</summary>
public sealed class TriggerInvocationTests
{
    const string EmptyResult = """{"Outputs":{},"Logs":[],"ReturnValue":null}""";

    // The documented shape: plain values, DequeueCount a number.
    const string DocumentedPayload = """
        {"Data":{"message":"{\"deliveryId\":\"d-1\"}"},
         "Metadata":{"DequeueCount":1,"ExpirationTime":"2024-05-13T10:00:00+00:00","Id":"3f9c1c1e-6f1e-4b0f-9c53-1f0c2b7a9d11",
           "InsertionTime":"2024-05-06T10:00:00+00:00","NextVisibleTime":"2024-05-06T10:10:00+00:00","PopReceipt":"AgAAAAMAAAAAAAAA",
           "sys":{"MethodName":"SendSecretEmail","UtcNow":"2024-05-06T10:00:01.2205399Z","RandGuid":"0b8e0f8e-3c2e-4a8f-9d3c-0f1e2d3c4b5a"}}}
        """;

    // What the host code produces: every non-object value serialized once more, so strings are JSON-in-JSON and the count a string.
    const string HostCodePayload = """
        {"Data":{"message":"\"{\\\"deliveryId\\\":\\\"d-1\\\"}\""},
         "Metadata":{"DequeueCount":"1","ExpirationTime":"\"2024-05-13T10:00:00+00:00\"","Id":"\"3f9c1c1e-6f1e-4b0f-9c53-1f0c2b7a9d11\"",
           "InsertionTime":"\"2024-05-06T10:00:00+00:00\"","NextVisibleTime":"\"2024-05-06T10:10:00+00:00\"","PopReceipt":"\"AgAAAAMAAAAAAAAA\"",
           "sys":{"MethodName":"SendSecretEmail","UtcNow":"2024-05-06T10:00:01.2205399Z","RandGuid":"0b8e0f8e-3c2e-4a8f-9d3c-0f1e2d3c4b5a"}}}
        """;

    [Theory]
    [InlineData(DocumentedPayload)]
    [InlineData(HostCodePayload)]
    public async Task A_completed_queue_message_answers_200_with_an_empty_result_and_the_handler_sees_the_decoded_message(string payload)
    {
        var handler = new TestQueueHandler("secret-emails", _ => QueueMessageOutcome.Completed);
        await using var app = await StartUnderFunctionsHostAsync(handler);

        var response = await PostAsync(app, "/TestQueueFunction", payload);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(EmptyResult, await response.Content.ReadAsStringAsync());
        var message = Assert.Single(handler.Received);
        Assert.Equal(new QueueMessageContext("3f9c1c1e-6f1e-4b0f-9c53-1f0c2b7a9d11", 1, new DateTimeOffset(2024, 5, 6, 10, 0, 0, TimeSpan.Zero), """{"deliveryId":"d-1"}"""), message);
    }

    [Theory]
    [InlineData("""{"Data":{"message":"hello"},"Metadata":{"DequeueCount":4,"Id":"m-1","InsertionTime":"2024-05-06T10:00:00Z"}}""")]
    [InlineData("""{"Data":{"message":"\"hello\""},"Metadata":{"DequeueCount":"4","Id":"\"m-1\"","InsertionTime":"\"2024-05-06T10:00:00Z\""}}""")]
    public async Task A_plain_text_message_and_a_string_count_are_read_either_way(string payload)
    {
        var handler = new TestQueueHandler("secret-emails", _ => QueueMessageOutcome.Completed);
        await using var app = await StartUnderFunctionsHostAsync(handler);

        var response = await PostAsync(app, "/TestQueueFunction", payload);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(new QueueMessageContext("m-1", 4, new DateTimeOffset(2024, 5, 6, 10, 0, 0, TimeSpan.Zero), "hello"), Assert.Single(handler.Received));
    }

    [Fact]
    public async Task Retry_answers_500_so_the_host_counts_a_failed_attempt()
    {
        var handler = new TestQueueHandler("secret-emails", _ => QueueMessageOutcome.Retry);
        await using var app = await StartUnderFunctionsHostAsync(handler);

        var response = await PostAsync(app, "/TestQueueFunction", DocumentedPayload);

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Contains("failed attempt 1", body.RootElement.GetProperty("Logs")[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_handler_that_throws_answers_a_non_2xx_status()
    {
        var handler = new TestQueueHandler("secret-emails", (_, _, _) => throw new InvalidOperationException("boom"));
        await using var app = await StartUnderFunctionsHostAsync(handler);

        var response = await PostAsync(app, "/TestQueueFunction", DocumentedPayload);

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
    }

    [Fact]
    public async Task A_payload_without_the_trigger_metadata_is_refused_with_400_and_the_handler_does_not_run()
    {
        var handler = new TestQueueHandler("secret-emails", _ => QueueMessageOutcome.Completed);
        await using var app = await StartUnderFunctionsHostAsync(handler);

        var response = await PostAsync(app, "/TestQueueFunction", """{"Data":{"message":"hello"},"Metadata":{"Id":"m-1"}}""");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Empty(handler.Received);
    }

    [Fact]
    public async Task Defer_answers_200_and_enqueues_a_copy_that_appears_only_after_the_delay()
    {
        var queueName = StorageNames.UniqueQueue("defer");
        var handler = new TestQueueHandler(queueName, _ => QueueMessageOutcome.Defer(TimeSpan.FromSeconds(2)));
        await using var app = await StartUnderFunctionsHostAsync(handler);
        var queue = new QueueClient(StorageAccount.Parse(app.Azurite.ConnectionString), queueName);
        await queue.CreateIfNotExistsAsync();

        var response = await PostAsync(app, "/TestQueueFunction", DocumentedPayload);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using (var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()))
        {
            Assert.StartsWith("Message 3f9c1c1e-6f1e-4b0f-9c53-1f0c2b7a9d11 deferred as ", body.RootElement.GetProperty("Logs")[0].GetString(), StringComparison.Ordinal);
        }

        Assert.Empty(await queue.PeekAsync(32));
        await Eventually.TrueAsync(async () => (await queue.PeekAsync(32)).Count > 0, TimeSpan.FromSeconds(10), "the deferred copy is visible");
        var copy = Assert.Single(await queue.PeekAsync(32));
        Assert.Equal("""{"deliveryId":"d-1"}""", copy.Text);
        Assert.Equal(0, copy.DequeueCount);
    }

    [Fact]
    public async Task A_timer_invocation_runs_the_handler_and_answers_200_with_an_empty_result()
    {
        var timer = new TestTimerHandler("0 */5 * * * *");
        await using var app = await StartUnderFunctionsHostAsync(services => services.AddSingleton<ITimerHandler>(timer));

        var response = await PostAsync(app, "/TestTimerFunction", """
            {"Data":{"timer":{"Schedule":{"AdjustForDST":true},"ScheduleStatus":{"Last":"2024-05-06T09:55:00+00:00","Next":"2024-05-06T10:00:00+00:00","LastUpdated":"2024-05-06T09:55:00+00:00"},"IsPastDue":false}},
             "Metadata":{"sys":{"MethodName":"PurgeExpired","UtcNow":"2024-05-06T10:00:00.0012345Z","RandGuid":"0b8e0f8e-3c2e-4a8f-9d3c-0f1e2d3c4b5a"}}}
            """);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(EmptyResult, await response.Content.ReadAsStringAsync());
        Assert.Equal(1, timer.Runs);
    }

    [Fact]
    public async Task Under_the_functions_host_no_listener_polls_and_standalone_no_invocation_route_exists()
    {
        var handler = new TestQueueHandler("secret-emails", _ => QueueMessageOutcome.Completed);
        await using (var underHost = await StartUnderFunctionsHostAsync(handler))
        {
            Assert.DoesNotContain(underHost.Services.GetServices<IHostedService>(), service => service is TriggerListeners);
        }

        await using var standalone = new ServerlessCredsApplication { ConfigureServices = services => services.AddSingleton<IQueueMessageHandler>(handler) };
        await standalone.InitializeAsync();
        Assert.Contains(standalone.Services.GetServices<IHostedService>(), service => service is TriggerListeners);
        var response = await PostAsync(standalone, "/TestQueueFunction", DocumentedPayload);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    static Task<ServerlessCredsApplication> StartUnderFunctionsHostAsync(TestQueueHandler handler) =>
        StartUnderFunctionsHostAsync(services => services.AddSingleton<IQueueMessageHandler>(handler));

    static async Task<ServerlessCredsApplication> StartUnderFunctionsHostAsync(Action<IServiceCollection> configureServices)
    {
        var app = new ServerlessCredsApplication
        {
            Settings = new Dictionary<string, string?> { ["FUNCTIONS_CUSTOMHANDLER_PORT"] = "7071" },
            ConfigureServices = configureServices,
        };
        await app.InitializeAsync();
        return app;
    }

    static async Task<HttpResponseMessage> PostAsync(ServerlessCredsApplication app, string path, string payload)
    {
        using var client = app.CreateClient();
        using var content = new StringContent(payload, Encoding.UTF8, "application/json");
        return await client.PostAsync(new Uri(path, UriKind.Relative), content);
    }
}
