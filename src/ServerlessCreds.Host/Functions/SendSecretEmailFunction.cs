using ServerlessCreds.Adapters.Queues;
using ServerlessCreds.Deliveries;

namespace ServerlessCreds.Host.Functions;

/// <summary>The queue-triggered function that emails one-time links; all decisions are the domain service's.</summary>
sealed partial class SendSecretEmailFunction(SecretEmailService emails, ILogger<SendSecretEmailFunction> logger) : IQueueMessageHandler
{
    public string FunctionName => "SendSecretEmail";

    public string QueueName => SecretEmailRequests.QueueName;

    public async Task<QueueMessageOutcome> HandleAsync(QueueMessageContext message, CancellationToken cancellationToken)
    {
        if (SecretEmailRequests.Read(message.Text) is not { } request)
        {
            // Retrying cannot make it readable; the poison queue keeps it for inspection.
            LogUnreadable(logger, message.MessageId);
            return QueueMessageOutcome.Retry;
        }

        return await emails.SendAsync(request, message.MessageId, message.DequeueCount, cancellationToken) switch
        {
            SendOutcome.Done => QueueMessageOutcome.Completed,
            SendOutcome.Defer defer => QueueMessageOutcome.Defer(defer.Delay),
            _ => QueueMessageOutcome.Retry,
        };
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Queue message {MessageId} is not a secret-email request")]
    static partial void LogUnreadable(ILogger logger, string messageId);
}
