using System.Text.Json;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using Microsoft.Extensions.Options;
using ServerlessCreds.Common;
using ServerlessCreds.Deliveries;

namespace ServerlessCreds.Adapters.Email;

/// <summary>Sends email through the Azure Communication Services Email REST API.</summary>
public sealed class CommunicationEmailSender : IEmailSender
{
    const string ApiVersion = "2023-03-31";
    const string Scope = "https://communication.azure.com//.default";
    const string DependencyName = "email service";
    const int MaxRetries = 3;
    static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(2);
    // Without a Retry-After the quota window is unknown; the service's limits are per minute.
    static readonly TimeSpan DefaultThrottleDelay = TimeSpan.FromMinutes(1);

    readonly HttpPipeline _pipeline;
    readonly Uri _endpoint;
    readonly string _senderAddress;

    public CommunicationEmailSender(IOptions<EmailOptions> options)
        : this(options.Value, retryDelay: TimeSpan.FromSeconds(0.5))
    {
    }

    internal CommunicationEmailSender(EmailOptions options, TimeSpan retryDelay, TokenCredential? credential = null)
    {
        HttpPipelinePolicy authentication;
        if (!string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            if (!CommunicationConnectionString.TryParse(options.ConnectionString, out var connectionString))
            {
                throw new InvalidOperationException("Email:ConnectionString is not a valid Communication Services connection string.");
            }

            _endpoint = connectionString!.Endpoint;
            authentication = new HmacAuthenticationPolicy(connectionString.AccessKey);
        }
        else
        {
            _endpoint = new Uri(options.Endpoint ?? throw new InvalidOperationException("Set Email:Endpoint or Email:ConnectionString."));
            credential ??= AzureAdapters.Credential(options.ManagedIdentityClientId);
            authentication = new BearerTokenAuthenticationPolicy(credential, Scope);
        }

        _senderAddress = options.SenderAddress;
        var clientOptions = new EmailClientOptions
        {
            RetryPolicy = new EmailRetryPolicy(MaxRetries, DelayStrategy.CreateExponentialDelayStrategy(retryDelay, MaxRetryDelay)),
        };
        _pipeline = HttpPipelineBuilder.Build(clientOptions, perCallPolicies: [], perRetryPolicies: [authentication], new ResponseClassifier());
    }

    public async Task<EmailSendResult> SendAsync(EmailMessage message, Guid operationId, CancellationToken cancellationToken)
    {
        using HttpMessage httpMessage = CreateSendRequest(message, operationId);
        Response response = await SendAsync(httpMessage, cancellationToken);
        return response.Status switch
        {
            202 => new EmailSendResult.Accepted(),
            400 => new EmailSendResult.Rejected(DescribeError(response)),
            429 => new EmailSendResult.Throttled(EmailRetryPolicy.ReadRetryAfter(response) ?? DefaultThrottleDelay),
            401 or 403 => throw new InvalidOperationException(
                $"The email service refused our credentials ({DescribeError(response)}). Check Email:ConnectionString, " +
                "or the managed identity's role on the Communication Services resource."),
            408 or >= 500 => throw new DependencyUnavailableException(DependencyName, new RequestFailedException(response)),
            _ => throw new InvalidOperationException($"The email service answered an unexpected {DescribeError(response)}."),
        };
    }

    public async Task<bool> WasAcceptedAsync(Guid operationId, CancellationToken cancellationToken)
    {
        using HttpMessage httpMessage = CreateStatusRequest(operationId);
        Response response = await SendAsync(httpMessage, cancellationToken);
        return response.Status switch
        {
            200 => true,
            404 => false,
            401 or 403 => throw new InvalidOperationException($"The email service refused our credentials ({DescribeError(response)})."),
            429 => throw new DependencyUnavailableException(DependencyName, new RequestFailedException(response))
            {
                RetryAfter = EmailRetryPolicy.ReadRetryAfter(response) ?? DefaultThrottleDelay,
            },
            _ => throw new DependencyUnavailableException(DependencyName, new RequestFailedException(response)),
        };
    }

    Task<Response> SendAsync(HttpMessage message, CancellationToken cancellationToken) => _pipeline.SendAsync(message, DependencyName, cancellationToken);

    HttpMessage CreateStatusRequest(Guid operationId)
    {
        HttpMessage message = _pipeline.CreateMessage();
        Request request = message.Request;
        request.Method = RequestMethod.Get;
        request.Uri.Reset(_endpoint);
        request.Uri.AppendPath("/emails/operations/", escape: false);
        request.Uri.AppendPath(operationId.ToString());
        request.Uri.AppendQuery("api-version", ApiVersion);
        request.Headers.Add(HttpHeader.Names.Accept, "application/json");
        return message;
    }

    HttpMessage CreateSendRequest(EmailMessage email, Guid operationId)
    {
        var body = new SendEmailRequest(
            _senderAddress,
            new EmailRecipients([new EmailAddress(email.RecipientAddress, email.RecipientName)]),
            new EmailContent(email.Subject, email.PlainText, email.Html),
            UserEngagementTrackingDisabled: true);

        HttpMessage message = _pipeline.CreateMessage();
        Request request = message.Request;
        request.Method = RequestMethod.Post;
        request.Uri.Reset(_endpoint);
        request.Uri.AppendPath("/emails:send", escape: false);
        request.Uri.AppendQuery("api-version", ApiVersion);
        // The same id on every attempt and every re-send lets the service recognise a repeated message.
        request.Headers.Add("Operation-Id", operationId.ToString());
        request.Headers.Add(HttpHeader.Names.Accept, "application/json");
        request.Headers.Add(HttpHeader.Names.ContentType, "application/json");
        request.Content = RequestContent.Create(JsonSerializer.SerializeToUtf8Bytes(body, EmailJsonContext.Default.SendEmailRequest));
        return message;
    }

    static string DescribeError(Response response)
    {
        ErrorDetail? error = null;
        try
        {
            error = JsonSerializer.Deserialize(response.Content, EmailJsonContext.Default.ErrorResponse)?.Error;
        }
        catch (JsonException)
        {
            // Not the documented error shape; the status and error-code header still say enough.
        }

        // Status and code only: the service's message text could echo what we sent (the link).
        string code = error?.Code ?? (response.Headers.TryGetValue("x-ms-error-code", out string? header) ? header : "no error code");
        return $"{response.Status} {code}";
    }

    sealed class EmailClientOptions : ClientOptions;
}
