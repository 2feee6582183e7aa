using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml;
using System.Xml.Linq;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using ServerlessCreds.Adapters.Storage;
using ServerlessCreds.Common;

namespace ServerlessCreds.Adapters.Queues;

/// <summary>
/// One queue over the Queue service REST API. Message text is sent as base64(UTF-8), the Functions queue trigger's
/// default <c>messageEncoding</c>; callers pass and receive plain text. Service refusals throw <see cref="QueueRequestException"/>
/// subtypes; unreachable storage or 5xx after retries throws <see cref="DependencyUnavailableException"/>.
/// </summary>
public sealed partial class QueueClient
{
    private const string ApiVersion = "2021-12-02";
    private const string Dependency = "queue storage";
    private const int MaxMessagesPerCall = 32;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly HttpPipeline _pipeline;
    private readonly Uri _serviceUri;

    public QueueClient(StorageAccount account, string queueName, StorageClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(account);
        if (!ValidQueueName().IsMatch(queueName))
        {
            throw new ArgumentException("Queue names are 3-63 lowercase letters, digits and single hyphens, starting and ending with a letter or digit.", nameof(queueName));
        }

        Name = queueName;
        _serviceUri = account.QueueServiceUri;
        _pipeline = account.CreateQueuePipeline(options);
    }

    public string Name { get; }

    public async Task CreateIfNotExistsAsync(CancellationToken cancellationToken = default)
    {
        using var message = CreateMessage(RequestMethod.Put);
        var response = await SendAsync(message, cancellationToken);
        switch (response.Status)
        {
            case 201 or 204:
            case 409 when ErrorCode(response) == "QueueAlreadyExists":
                return;
            default:
                throw Failure(response);
        }
    }

    /// <summary>Enqueues <paramref name="text"/>, hidden for <paramref name="visibilityDelay"/>; a <paramref name="timeToLive"/> of <see cref="Timeout.InfiniteTimeSpan"/> never expires (default 7 days).</summary>
    public async Task<SendReceipt> SendAsync(string text, TimeSpan? visibilityDelay = null, TimeSpan? timeToLive = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(text);
        using var message = CreateSendRequest(text, visibilityDelay, timeToLive);
        var response = await SendAsync(message, cancellationToken);
        if (response.Status != 201)
        {
            throw Failure(response);
        }

        var sent = Messages(response).Single();
        return new SendReceipt(
            Value(sent, "MessageId"),
            Value(sent, "PopReceipt"),
            Time(sent, "InsertionTime"),
            Time(sent, "ExpirationTime"),
            Time(sent, "TimeNextVisible"));
    }

    /// <summary>Dequeues up to <paramref name="maxMessages"/> (1-32) messages and hides them for <paramref name="visibilityTimeout"/>.</summary>
    public async Task<IReadOnlyList<QueueMessage>> ReceiveAsync(int maxMessages, TimeSpan visibilityTimeout, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxMessages, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxMessages, MaxMessagesPerCall);
        using var message = CreateMessage(RequestMethod.Get, "/messages");
        message.Request.Uri.AppendQuery("numofmessages", maxMessages.ToString(CultureInfo.InvariantCulture), escapeValue: false);
        message.Request.Uri.AppendQuery("visibilitytimeout", Seconds(visibilityTimeout), escapeValue: false);
        var response = await SendAsync(message, cancellationToken);
        if (response.Status != 200)
        {
            throw Failure(response);
        }

        return Messages(response)
            .Select(received => new QueueMessage(
                Value(received, "MessageId"),
                Value(received, "PopReceipt"),
                long.Parse(Value(received, "DequeueCount"), CultureInfo.InvariantCulture),
                Time(received, "InsertionTime"),
                Time(received, "ExpirationTime"),
                Time(received, "TimeNextVisible"),
                DecodeText(received),
                Value(received, "MessageText")))
            .ToList();
    }

    /// <summary>Reads up to <paramref name="maxMessages"/> (1-32) visible messages without dequeuing them (tests and diagnostics).</summary>
    public async Task<IReadOnlyList<PeekedMessage>> PeekAsync(int maxMessages, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxMessages, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxMessages, MaxMessagesPerCall);
        using var message = CreateMessage(RequestMethod.Get, "/messages");
        message.Request.Uri.AppendQuery("peekonly", "true", escapeValue: false);
        message.Request.Uri.AppendQuery("numofmessages", maxMessages.ToString(CultureInfo.InvariantCulture), escapeValue: false);
        var response = await SendAsync(message, cancellationToken);
        if (response.Status != 200)
        {
            throw Failure(response);
        }

        return Messages(response)
            .Select(peeked => new PeekedMessage(
                Value(peeked, "MessageId"),
                long.Parse(Value(peeked, "DequeueCount"), CultureInfo.InvariantCulture),
                Time(peeked, "InsertionTime"),
                Time(peeked, "ExpirationTime"),
                DecodeText(peeked)))
            .ToList();
    }

    /// <summary>Deletes a received message; throws <see cref="QueueNotFoundException"/> if it is gone, 400 <c>PopReceiptMismatch</c> if it was received again since.</summary>
    public async Task DeleteAsync(string messageId, string popReceipt, CancellationToken cancellationToken = default)
    {
        using var message = CreateMessageRequest(RequestMethod.Delete, messageId, popReceipt);
        var response = await SendAsync(message, cancellationToken);
        if (response.Status != 204)
        {
            throw Failure(response);
        }
    }

    /// <summary>Hides a received message for <paramref name="visibilityTimeout"/> from now (zero: visible at once); returns the new pop receipt, which replaces the old one.</summary>
    public async Task<string> UpdateVisibilityAsync(string messageId, string popReceipt, TimeSpan visibilityTimeout, CancellationToken cancellationToken = default)
    {
        using var message = CreateMessageRequest(RequestMethod.Put, messageId, popReceipt);
        message.Request.Uri.AppendQuery("visibilitytimeout", Seconds(visibilityTimeout), escapeValue: false);
        var response = await SendAsync(message, cancellationToken);
        if (response.Status != 204)
        {
            throw Failure(response);
        }

        return response.Headers.TryGetValue("x-ms-popreceipt", out var newPopReceipt)
            ? newPopReceipt
            : throw new QueueRequestException(response.Status, "MissingPopReceipt");
    }

    private HttpMessage CreateSendRequest(string text, TimeSpan? visibilityDelay, TimeSpan? timeToLive)
    {
        var message = CreateMessage(RequestMethod.Post, "/messages");
        if (visibilityDelay is not null)
        {
            message.Request.Uri.AppendQuery("visibilitytimeout", Seconds(visibilityDelay.Value), escapeValue: false);
        }

        if (timeToLive is not null)
        {
            message.Request.Uri.AppendQuery("messagettl", timeToLive == Timeout.InfiniteTimeSpan ? "-1" : Seconds(timeToLive.Value), escapeValue: false);
        }

        var body = new XElement("QueueMessage", new XElement("MessageText", Convert.ToBase64String(Encoding.UTF8.GetBytes(text))));
        message.Request.Headers.Add("Content-Type", "application/xml");
        message.Request.Content = RequestContent.Create(Encoding.UTF8.GetBytes(body.ToString(SaveOptions.DisableFormatting)));
        return message;
    }

    private HttpMessage CreateMessageRequest(RequestMethod method, string messageId, string popReceipt)
    {
        ArgumentException.ThrowIfNullOrEmpty(messageId);
        ArgumentException.ThrowIfNullOrEmpty(popReceipt);
        var message = CreateMessage(method, "/messages/" + Uri.EscapeDataString(messageId));
        message.Request.Uri.AppendQuery("popreceipt", popReceipt, escapeValue: true);
        return message;
    }

    private HttpMessage CreateMessage(RequestMethod method, string path = "")
    {
        var message = _pipeline.CreateMessage();
        message.Request.Method = method;
        message.Request.Uri.Reset(_serviceUri);
        message.Request.Uri.AppendPath("/" + Name + path, escape: false);
        message.Request.Headers.Add("x-ms-version", ApiVersion);
        return message;
    }

    private Task<Response> SendAsync(HttpMessage message, CancellationToken cancellationToken) =>
        _pipeline.SendAsync(message, Dependency, cancellationToken);

    private static IEnumerable<XElement> Messages(Response response) =>
        XDocument.Parse(response.Content.ToString()).Root?.Elements("QueueMessage") ?? [];

    private static string Value(XElement message, string name) =>
        message.Element(name)?.Value ?? throw new QueueRequestException(200, $"Missing{name}");

    private static DateTimeOffset Time(XElement message, string name) =>
        DateTimeOffset.ParseExact(Value(message, name), "r", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    // One badly encoded message must not spoil the batch it arrives in: it is reported per message instead.
    private static string? DecodeText(XElement message)
    {
        try
        {
            return StrictUtf8.GetString(Convert.FromBase64String(Value(message, "MessageText")));
        }
        catch (Exception exception) when (exception is FormatException or ArgumentException)
        {
            return null;
        }
    }

    private static string Seconds(TimeSpan duration)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(duration, TimeSpan.Zero);
        return ((long)duration.TotalSeconds).ToString(CultureInfo.InvariantCulture);
    }

    private static Exception Failure(Response response)
    {
        var errorCode = ErrorCode(response);
        return response.Status switch
        {
            404 => new QueueNotFoundException(errorCode),
            >= 500 => new DependencyUnavailableException(Dependency, new QueueRequestException(response.Status, errorCode)),
            _ => new QueueRequestException(response.Status, errorCode),
        };
    }

    private static string? ErrorCode(Response response)
    {
        if (response.Headers.TryGetValue("x-ms-error-code", out var code))
        {
            return code;
        }

        try
        {
            return XDocument.Parse(response.Content.ToString()).Root?.Element("Code")?.Value;
        }
        catch (XmlException)
        {
            return null;
        }
    }

    [GeneratedRegex(@"^(?=.{3,63}\z)[a-z0-9]+(-[a-z0-9]+)*\z")]
    private static partial Regex ValidQueueName();
}
