using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Identity;
using ServerlessCreds.Common;

namespace ServerlessCreds.Adapters;

/// <summary>The one place our own REST clients (tables, queues, email) turn transport failures into an unavailable dependency.</summary>
static class DependencyTransport
{
    /// <summary>Sends through the pipeline (with its retries); a service that stays unreachable becomes <see cref="DependencyUnavailableException"/>.</summary>
    public static async Task<Response> SendAsync(this HttpPipeline pipeline, HttpMessage message, string dependency, CancellationToken cancellationToken)
    {
        try
        {
            await pipeline.SendAsync(message, cancellationToken);
        }
        // AuthenticationFailedException: no token for a managed identity yet (IMDS not ready), as unavailable as the service itself.
        catch (Exception exception) when (exception is RequestFailedException or AggregateException or IOException or AuthenticationFailedException
            || (exception is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            throw new DependencyUnavailableException(dependency, exception);
        }

        return message.Response;
    }
}
