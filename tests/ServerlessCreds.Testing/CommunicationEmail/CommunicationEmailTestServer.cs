using System.Globalization;
using System.Net;
using System.Net.Mail;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ServerlessCreds.Testing.CommunicationEmail;

/// <summary>
/// A real HTTP stand-in for the Azure Communication Services Email API on 127.0.0.1: checks the api-version and the
/// HMAC signature like the service, validates the body, answers 202 with an operation, de-duplicates by Operation-Id,
/// records what it accepted, and injects faults (status codes, quota 429s, rejected recipients, dropped connections).
/// </summary>
public sealed class CommunicationEmailTestServer : IAsyncDisposable
{
    public const string ApiVersion = "2023-03-31";
    static readonly string[] SupportedApiVersions = [ApiVersion, "2025-09-01"];
    static readonly TimeSpan AllowedClockSkew = TimeSpan.FromMinutes(15);
    const string SignedHeaders = "x-ms-date;host;x-ms-content-sha256";
    const int MaxRecipients = 50;

    readonly byte[] _accessKey = RandomNumberGenerator.GetBytes(32);
    readonly Lock _gate = new();
    readonly List<SentEmail> _sent = [];
    readonly List<SendAttempt> _attempts = [];
    readonly Queue<InjectedFailure> _failures = new();
    readonly Queue<InjectedFailure> _statusFailures = new();
    int _statusRequests;
    readonly HashSet<string> _rejectedRecipients = new(StringComparer.OrdinalIgnoreCase);
    int _connectionsToDrop;
    Hold? _hold;
    Quota? _quota;
    WebApplication? _app;

    CommunicationEmailTestServer()
    {
    }

    /// <summary>The resource endpoint, with a trailing slash as in a portal connection string.</summary>
    public Uri Endpoint { get; private set; } = null!;

    /// <summary><c>endpoint=…;accesskey=…</c> with the key this server verifies signatures against.</summary>
    public string ConnectionString => $"endpoint={Endpoint};accesskey={Convert.ToBase64String(_accessKey)}";

    public IReadOnlyList<SentEmail> SentMessages
    {
        get
        {
            lock (_gate)
            {
                return [.. _sent];
            }
        }
    }

    public IReadOnlyList<SendAttempt> SendAttempts
    {
        get
        {
            lock (_gate)
            {
                return [.. _attempts];
            }
        }
    }

    /// <summary>Get Email Status requests received so far, failed ones included.</summary>
    public int StatusRequests
    {
        get
        {
            lock (_gate)
            {
                return _statusRequests;
            }
        }
    }

    public static async Task<CommunicationEmailTestServer> StartAsync()
    {
        var server = new CommunicationEmailTestServer();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        app.Run(server.HandleAsync);
        await app.StartAsync();

        string address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        server.Endpoint = new Uri(address.TrimEnd('/') + "/");
        server._app = app;
        return server;
    }

    /// <summary>The next <paramref name="count"/> sends answer <paramref name="status"/>, with Retry-After when given.</summary>
    public void FailNext(int count, HttpStatusCode status, TimeSpan? retryAfter = null)
    {
        lock (_gate)
        {
            for (int i = 0; i < count; i++)
            {
                _failures.Enqueue(new InjectedFailure(status, retryAfter));
            }
        }
    }

    /// <summary>
    /// The next <paramref name="count"/> authenticated Get Email Status requests answer <paramref name="status"/> (for example
    /// 429, as the service's tight status-poll limit does), with Retry-After when given.
    /// </summary>
    public void FailNextStatusRequests(int count, HttpStatusCode status, TimeSpan? retryAfter = null)
    {
        lock (_gate)
        {
            for (int i = 0; i < count; i++)
            {
                _statusFailures.Enqueue(new InjectedFailure(status, retryAfter));
            }
        }
    }

    /// <summary>
    /// Allows <paramref name="messagesPerWindow"/> authenticated sends per fixed <paramref name="window"/> (starting now);
    /// beyond that answers 429 with Retry-After set to the seconds until the window resets. Every request counts, retries too.
    /// </summary>
    public void SetQuota(int messagesPerWindow, TimeSpan window)
    {
        lock (_gate)
        {
            _quota = new Quota(messagesPerWindow, window, DateTimeOffset.UtcNow);
        }
    }

    /// <summary>Sends to <paramref name="address"/> are refused with 400.</summary>
    public void RejectRecipient(string address)
    {
        lock (_gate)
        {
            _rejectedRecipients.Add(address);
        }
    }

    /// <summary>The next <paramref name="count"/> sends lose their connection before any response.</summary>
    public void DropNextConnections(int count)
    {
        lock (_gate)
        {
            _connectionsToDrop += count;
        }
    }

    /// <summary>
    /// The next send waits, with its body read, until <paramref name="release"/> completes; then it is handled as usual
    /// (faults included), even if the client is gone by then. The returned task completes when that send has arrived.
    /// </summary>
    public Task HoldNext(Task release)
    {
        var hold = new Hold(release);
        lock (_gate)
        {
            _hold = hold;
        }

        return hold.Arrived.Task;
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }

    async Task HandleAsync(HttpContext context)
    {
        byte[] body = await ReadBodyAsync(context.Request);
        string path = context.Request.Path.Value ?? "";

        if (HttpMethods.IsPost(context.Request.Method) && path == "/emails:send")
        {
            await SendAsync(context, body);
        }
        else if (HttpMethods.IsGet(context.Request.Method) && path.StartsWith("/emails/operations/", StringComparison.Ordinal))
        {
            await GetOperationAsync(context, body, path["/emails/operations/".Length..]);
        }
        else
        {
            await WriteErrorAsync(context.Response, HttpStatusCode.NotFound, "NotFound", "No such operation on this test server.");
        }
    }

    async Task SendAsync(HttpContext context, byte[] body)
    {
        HttpRequest request = context.Request;
        string? operationIdHeader = request.Headers["Operation-Id"].FirstOrDefault();
        Hold? hold;
        lock (_gate)
        {
            (hold, _hold) = (_hold, null);
        }

        if (hold is not null)
        {
            hold.Arrived.TrySetResult();
            await hold.Release;
        }

        var now = DateTimeOffset.UtcNow;

        InjectedFailure? failure = null;
        bool drop = false;
        lock (_gate)
        {
            if (_connectionsToDrop > 0)
            {
                _connectionsToDrop--;
                drop = true;
            }
            else
            {
                _failures.TryDequeue(out failure);
            }
        }

        if (drop)
        {
            Record(operationIdHeader, 0, now);
            context.Abort();
            return;
        }

        SendOutcome outcome = failure is not null
            ? SendOutcome.Error(failure.Status, "InjectedFailure", "Failure injected by the test server.", failure.RetryAfter)
            : Decide(context, body, operationIdHeader, now);

        Record(operationIdHeader, (int)outcome.Status, now);
        if (outcome.Status != HttpStatusCode.Accepted)
        {
            await WriteErrorAsync(context.Response, outcome.Status, outcome.Code!, outcome.Message!, outcome.RetryAfter);
            return;
        }

        context.Response.StatusCode = StatusCodes.Status202Accepted;
        context.Response.Headers["Operation-Location"] =
            new Uri(Endpoint, $"emails/operations/{outcome.OperationId}?api-version={ApiVersion}").ToString();
        context.Response.Headers.RetryAfter = "5";
        await WriteJsonAsync(context.Response, writer =>
        {
            writer.WriteString("id", outcome.OperationId);
            writer.WriteString("status", "Running");
        });
    }

    SendOutcome Decide(HttpContext context, byte[] body, string? operationIdHeader, DateTimeOffset now)
    {
        if (CheckApiVersion(context.Request) is { } versionError)
        {
            return versionError;
        }

        if (VerifySignature(context.Request, body, now) is { } denial)
        {
            return SendOutcome.Error(HttpStatusCode.Unauthorized, "Denied", denial);
        }

        string operationId = operationIdHeader ?? Guid.NewGuid().ToString();
        if (!Guid.TryParse(operationId, out _))
        {
            return SendOutcome.Error(HttpStatusCode.BadRequest, "InvalidOperationId", "Operation-Id must be a UUID.");
        }

        lock (_gate)
        {
            if (_quota?.TryConsume(now) is { } wait)
            {
                return SendOutcome.Error(HttpStatusCode.TooManyRequests, "TooManyRequests", "Send quota exceeded.", wait);
            }
        }

        if (ParseEmail(body, operationId, context.Request.Headers, now, out SentEmail? email) is { } invalid)
        {
            return SendOutcome.Error(HttpStatusCode.BadRequest, "BadRequest", invalid);
        }

        lock (_gate)
        {
            if (email!.To.FirstOrDefault(to => _rejectedRecipients.Contains(to.Address)) is { } rejected)
            {
                return SendOutcome.Error(HttpStatusCode.BadRequest, "InvalidRecipient", $"The recipient {rejected.Address} was rejected.");
            }

            // Like the service: a repeated Operation-Id is the same operation, not a second message.
            if (!_sent.Any(sent => string.Equals(sent.OperationId, operationId, StringComparison.OrdinalIgnoreCase)))
            {
                _sent.Add(email);
            }
        }

        return SendOutcome.Accepted(operationId);
    }

    async Task GetOperationAsync(HttpContext context, byte[] body, string operationId)
    {
        if (CheckApiVersion(context.Request) is { } versionError)
        {
            await WriteErrorAsync(context.Response, versionError.Status, versionError.Code!, versionError.Message!);
            return;
        }

        if (VerifySignature(context.Request, body, DateTimeOffset.UtcNow) is { } denial)
        {
            await WriteErrorAsync(context.Response, HttpStatusCode.Unauthorized, "Denied", denial);
            return;
        }

        bool known;
        InjectedFailure? failure;
        lock (_gate)
        {
            _statusRequests++;
            _statusFailures.TryDequeue(out failure);
            known = _sent.Any(sent => string.Equals(sent.OperationId, operationId, StringComparison.OrdinalIgnoreCase));
        }

        if (failure is not null)
        {
            string code = failure.Status == HttpStatusCode.TooManyRequests ? "TooManyRequests" : "InjectedFailure";
            await WriteErrorAsync(context.Response, failure.Status, code, "Failure injected by the test server.", failure.RetryAfter);
            return;
        }

        if (!known)
        {
            await WriteErrorAsync(context.Response, HttpStatusCode.NotFound, "NotFound", "No operation with that id.");
            return;
        }

        await WriteJsonAsync(context.Response, writer =>
        {
            writer.WriteString("id", operationId);
            writer.WriteString("status", "Succeeded");
        });
    }

    void Record(string? operationId, int status, DateTimeOffset at)
    {
        lock (_gate)
        {
            _attempts.Add(new SendAttempt(operationId, status, at));
        }
    }

    static SendOutcome? CheckApiVersion(HttpRequest request)
    {
        string? version = request.Query["api-version"].FirstOrDefault();
        return SupportedApiVersions.Contains(version)
            ? null
            : SendOutcome.Error(HttpStatusCode.BadRequest, "UnsupportedApiVersion", $"The api-version '{version}' is not supported.");
    }

    /// <summary>Recomputes the ACS HMAC-SHA256 signature; returns why it does not match, or null when it does.</summary>
    string? VerifySignature(HttpRequest request, byte[] body, DateTimeOffset now)
    {
        string? date = request.Headers["x-ms-date"].FirstOrDefault();
        string? contentHash = request.Headers["x-ms-content-sha256"].FirstOrDefault();
        string? authorization = request.Headers.Authorization.FirstOrDefault();
        if (date is null || contentHash is null || authorization is null)
        {
            return "x-ms-date, x-ms-content-sha256 and Authorization are required.";
        }

        if (contentHash != Convert.ToBase64String(SHA256.HashData(body)))
        {
            return "x-ms-content-sha256 does not match the body.";
        }

        if (!DateTimeOffset.TryParseExact(date, "r", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var signedAt) ||
            (now - signedAt).Duration() > AllowedClockSkew)
        {
            return "x-ms-date is missing, malformed or too far from the server clock.";
        }

        string prefix = $"HMAC-SHA256 SignedHeaders={SignedHeaders}&Signature=";
        if (!authorization.StartsWith(prefix, StringComparison.Ordinal))
        {
            return $"Authorization must be '{prefix}<signature>'.";
        }

        // The target as sent (not decoded), and the Host header the client really sent.
        string pathAndQuery = request.HttpContext.Features.GetRequiredFeature<IHttpRequestFeature>().RawTarget;
        string stringToSign = $"{request.Method}\n{pathAndQuery}\n{date};{request.Host.Value};{contentHash}";
        byte[] expected = HMACSHA256.HashData(_accessKey, Encoding.ASCII.GetBytes(stringToSign));
        byte[] actual = new byte[expected.Length];
        bool matches = Convert.TryFromBase64String(authorization[prefix.Length..], actual, out int length) &&
            length == expected.Length &&
            CryptographicOperations.FixedTimeEquals(expected, actual);
        return matches ? null : "The signature does not match.";
    }

    static string? ParseEmail(byte[] body, string operationId, IHeaderDictionary headers, DateTimeOffset now, out SentEmail? email)
    {
        email = null;
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException)
        {
            return "The body is not valid JSON.";
        }

        using (document)
        {
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return "The body must be a JSON object.";
            }

            string? sender = ReadString(root, "senderAddress");
            if (!IsEmailAddress(sender))
            {
                return "senderAddress must be a valid email address.";
            }

            if (!root.TryGetProperty("recipients", out JsonElement recipients) || recipients.ValueKind != JsonValueKind.Object)
            {
                return "recipients is required.";
            }

            var to = new List<SentEmailRecipient>();
            int total = 0;
            foreach (string kind in (string[])["to", "cc", "bcc"])
            {
                if (!recipients.TryGetProperty(kind, out JsonElement list))
                {
                    continue;
                }

                if (list.ValueKind != JsonValueKind.Array)
                {
                    return $"recipients.{kind} must be an array.";
                }

                foreach (JsonElement recipient in list.EnumerateArray())
                {
                    string? address = recipient.ValueKind == JsonValueKind.Object ? ReadString(recipient, "address") : null;
                    if (!IsEmailAddress(address))
                    {
                        return $"Every recipients.{kind} entry needs a valid address.";
                    }

                    total++;
                    if (kind == "to")
                    {
                        to.Add(new SentEmailRecipient(address!, ReadString(recipient, "displayName")));
                    }
                }
            }

            if (to.Count == 0)
            {
                return "recipients.to must not be empty.";
            }

            if (total > MaxRecipients)
            {
                return $"At most {MaxRecipients} recipients are allowed.";
            }

            if (!root.TryGetProperty("content", out JsonElement content) || content.ValueKind != JsonValueKind.Object ||
                ReadString(content, "subject") is not { Length: > 0 } subject)
            {
                return "content.subject is required.";
            }

            string? plainText = ReadString(content, "plainText");
            string? html = ReadString(content, "html");
            if (string.IsNullOrEmpty(plainText) && string.IsNullOrEmpty(html))
            {
                return "content needs plainText or html.";
            }

            bool trackingDisabled = root.TryGetProperty("userEngagementTrackingDisabled", out JsonElement tracking) &&
                tracking.ValueKind == JsonValueKind.True;
            var recordedHeaders = headers.ToDictionary(header => header.Key, header => header.Value.ToString(), StringComparer.OrdinalIgnoreCase);
            email = new SentEmail(operationId, sender!, to, subject, plainText, html, trackingDisabled, recordedHeaders, now);
            return null;
        }
    }

    static string? ReadString(JsonElement element, string name) =>
        element.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    static bool IsEmailAddress(string? value) =>
        value is not null &&
        MailAddress.TryCreate(value, out var address) &&
        address.Address == value &&
        address.Host.Contains('.', StringComparison.Ordinal);

    static async Task<byte[]> ReadBodyAsync(HttpRequest request)
    {
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer);
        return buffer.ToArray();
    }

    static Task WriteErrorAsync(HttpResponse response, HttpStatusCode status, string code, string message, TimeSpan? retryAfter = null)
    {
        response.StatusCode = (int)status;
        response.Headers["x-ms-error-code"] = code;
        if (retryAfter is { } wait)
        {
            response.Headers.RetryAfter = ((int)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        }

        return WriteJsonAsync(response, writer =>
        {
            writer.WriteStartObject("error");
            writer.WriteString("code", code);
            writer.WriteString("message", message);
            writer.WriteEndObject();
        });
    }

    static async Task WriteJsonAsync(HttpResponse response, Action<Utf8JsonWriter> writeProperties)
    {
        response.ContentType = "application/json";
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writeProperties(writer);
            writer.WriteEndObject();
        }

        await response.Body.WriteAsync(buffer.ToArray());
    }

    sealed record Hold(Task Release)
    {
        public TaskCompletionSource Arrived { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    sealed record InjectedFailure(HttpStatusCode Status, TimeSpan? RetryAfter);

    sealed record SendOutcome(HttpStatusCode Status, string? OperationId, string? Code, string? Message, TimeSpan? RetryAfter)
    {
        public static SendOutcome Accepted(string operationId) => new(HttpStatusCode.Accepted, operationId, null, null, null);

        public static SendOutcome Error(HttpStatusCode status, string code, string message, TimeSpan? retryAfter = null) =>
            new(status, null, code, message, retryAfter);
    }

    /// <summary>A fixed-window counter; every authenticated request counts, retries included, as with the service's limits.</summary>
    sealed class Quota(int limit, TimeSpan window, DateTimeOffset windowStart)
    {
        DateTimeOffset _windowStart = windowStart;
        int _used;

        /// <summary>Counts one request; returns the wait until the window resets when the quota is spent.</summary>
        public TimeSpan? TryConsume(DateTimeOffset now)
        {
            if (now >= _windowStart + window)
            {
                _windowStart = now;
                _used = 0;
            }

            if (_used >= limit)
            {
                TimeSpan wait = _windowStart + window - now;
                return wait < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : wait;
            }

            _used++;
            return null;
        }
    }
}
