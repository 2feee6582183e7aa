using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ServerlessCreds.Host.Functions;

/// <summary>
/// The JSON payload protocol for non-HTTP triggers: the Functions host posts <c>/{FunctionName}</c>; a 2xx with a JSON body
/// is success, any other status is a failure (for a queue: retried, poisoned after maxDequeueCount). Mapped only under the
/// host, which listens on loopback only and never forwards these paths from outside (no HTTP function declares them).
/// </summary>
static class FunctionTriggerEndpoints
{
    public static IEndpointRouteBuilder MapFunctionTriggers(this WebApplication app)
    {
        if (!FunctionsHostPort.IsUnderFunctionsHost(app.Configuration))
        {
            return app;
        }

        foreach (var handler in app.Services.GetServices<IQueueMessageHandler>())
        {
            app.MapPost("/" + handler.FunctionName, (HttpRequest request, FunctionQueues queues, CancellationToken cancellationToken) =>
                InvokeQueueAsync(handler, request, queues, cancellationToken)).ExcludeFromDescription();
        }

        foreach (var handler in app.Services.GetServices<ITimerHandler>())
        {
            app.MapPost("/" + handler.FunctionName, (CancellationToken cancellationToken) => InvokeTimerAsync(handler, cancellationToken)).ExcludeFromDescription();
        }

        return app;
    }

    static async Task<JsonHttpResult<FunctionInvocationResponse>> InvokeQueueAsync(
        IQueueMessageHandler handler, HttpRequest request, FunctionQueues queues, CancellationToken cancellationToken)
    {
        var invocation = await ReadAsync(request, cancellationToken);
        var message = new QueueMessageContext(invocation.Metadata.Id, invocation.Metadata.DequeueCount, invocation.Metadata.InsertionTime, invocation.Data.Message);
        // Exceptions go to the exception handler, whose 500 (or 503) tells the host to retry.
        var outcome = await handler.HandleAsync(message, cancellationToken);
        switch (outcome.Kind)
        {
            case QueueMessageOutcomeKind.Completed:
                return Reply(StatusCodes.Status200OK);
            case QueueMessageOutcomeKind.Retry:
                return Reply(StatusCodes.Status500InternalServerError, $"Message {message.MessageId} failed attempt {message.DequeueCount}; the host retries it.");
            default:
                var copy = await queues.SendAsync(handler.QueueName, message.Text, outcome.Delay, cancellationToken);
                return Reply(StatusCodes.Status200OK, string.Create(CultureInfo.InvariantCulture,
                    $"Message {message.MessageId} deferred as {copy.MessageId}, visible in {outcome.Delay.TotalSeconds:0} s."));
        }
    }

    /// <summary>The host's timer info (schedule status, past due) is not read: handlers simply run, late or not.</summary>
    static async Task<JsonHttpResult<FunctionInvocationResponse>> InvokeTimerAsync(ITimerHandler handler, CancellationToken cancellationToken)
    {
        await handler.RunAsync(cancellationToken);
        return Reply(StatusCodes.Status200OK);
    }

    static async Task<QueueInvocationRequest> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        try
        {
            return await JsonSerializer.DeserializeAsync(request.Body, FunctionInvocationJsonContext.Default.QueueInvocationRequest, cancellationToken)
                ?? throw new JsonException("The invocation body is null.");
        }
        catch (JsonException e)
        {
            throw new BadHttpRequestException("The queue invocation payload could not be read.", StatusCodes.Status400BadRequest, e);
        }
    }

    static JsonHttpResult<FunctionInvocationResponse> Reply(int statusCode, params string[] logs) =>
        TypedResults.Json(FunctionInvocationResponse.WithLogs(logs), FunctionInvocationJsonContext.Default.FunctionInvocationResponse, statusCode: statusCode);
}
