using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace ServerlessCreds.Testing.Faults;

/// <summary>
/// A reverse proxy on a free 127.0.0.1 port that forwards every request unchanged to a real component (Azurite's table or
/// queue endpoint) and fails the requests that match its rules. Only scheme, host and port change, and the request target is
/// forwarded verbatim, so Shared Key signatures (which cover the path, not the host) stay valid: point a storage connection
/// string's <c>TableEndpoint</c>/<c>QueueEndpoint</c> at <c>{Address}devstoreaccount1</c>.
/// </summary>
public sealed class FaultProxy : IAsyncDisposable
{
    /// <summary>The error code (header <c>x-ms-error-code</c> and XML body) of answers the proxy makes up.</summary>
    public const string InjectedErrorCode = "InjectedFault";

    // Connection-level headers belong to each hop; Host becomes the target's, as HttpClient sets it.
    private static readonly HashSet<string> HopByHopHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "Host", "Connection", "Keep-Alive", "Transfer-Encoding", "TE", "Trailer", "Upgrade", "Expect", "Proxy-Connection",
        "Proxy-Authenticate", "Proxy-Authorization",
    };

    private readonly WebApplication _app;
    private readonly Uri _origin;
    private readonly HttpClient _client = new(new SocketsHttpHandler
    {
        AllowAutoRedirect = false,
        UseCookies = false,
        UseProxy = false,
        AutomaticDecompression = DecompressionMethods.None,
    })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };

    private readonly List<FaultRule> _rules = [];
    private readonly ConcurrentQueue<ProxiedExchange> _log = new();

    private FaultProxy(WebApplication app, Uri target)
    {
        _app = app;
        _origin = new Uri(target.GetLeftPart(UriPartial.Authority));
        app.Run(HandleAsync);
    }

    /// <summary>The proxy's base address, <c>http://127.0.0.1:{port}/</c>.</summary>
    public Uri Address => new(_app.Urls.Single().TrimEnd('/') + "/");

    /// <summary>Every request answered so far, in the order the answers were decided.</summary>
    public IReadOnlyList<ProxiedExchange> Log => _log.ToArray();

    /// <summary>Starts forwarding to <paramref name="target"/>'s scheme, host and port; its path is ignored (requests keep their own).</summary>
    public static async Task<FaultProxy> StartAsync(Uri target, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(target);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(IPAddress.Loopback, 0);
        });
        var proxy = new FaultProxy(builder.Build(), target);
        await proxy._app.StartAsync(cancellationToken);
        return proxy;
    }

    /// <summary>Answers matching requests with <paramref name="status"/> and an XML storage error, without forwarding them.</summary>
    public FaultRule FailWhen(Func<ProxiedRequest, bool> match, int status, int times = int.MaxValue) =>
        Add(new FaultRule(FaultKind.Fail, match, times, status));

    /// <summary>Aborts the client's connection on matching requests, without forwarding them.</summary>
    public FaultRule DropWhen(Func<ProxiedRequest, bool> match, int times = int.MaxValue) =>
        Add(new FaultRule(FaultKind.Drop, match, times));

    /// <summary>Forwards matching requests (the component applies them) but answers the client with <paramref name="status"/>: a lost response.</summary>
    public FaultRule FailAfterForwardingWhen(Func<ProxiedRequest, bool> match, int status, int times = int.MaxValue) =>
        Add(new FaultRule(FaultKind.FailAfterForwarding, match, times, status));

    /// <summary>Holds matching requests for <paramref name="delay"/> before the next matching rule, or forwarding, applies.</summary>
    public FaultRule DelayWhen(Func<ProxiedRequest, bool> match, TimeSpan delay, int times = int.MaxValue)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delay, TimeSpan.Zero);
        return Add(new FaultRule(FaultKind.Hold, match, times, hold: cancellationToken => Task.Delay(delay, cancellationToken)));
    }

    /// <summary>
    /// Holds matching requests until <paramref name="release"/> completes, then the next matching rule, or forwarding, applies:
    /// a test orders requests by what it waits for, not by how long. <see cref="FaultRule.Hits"/> counts the requests held so far.
    /// </summary>
    public FaultRule HoldWhen(Func<ProxiedRequest, bool> match, Task release, int times = int.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(release);
        return Add(new FaultRule(FaultKind.Hold, match, times, hold: release.WaitAsync));
    }

    public void ClearRules()
    {
        lock (_rules)
        {
            _rules.Clear();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _client.Dispose();
    }

    private FaultRule Add(FaultRule rule)
    {
        lock (_rules)
        {
            _rules.Add(rule);
        }

        return rule;
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = await ReadAsync(context);
        FaultRule[] rules;
        lock (_rules)
        {
            rules = [.. _rules];
        }

        // Holds add up and fall through; the first other rule that applies decides the answer.
        var fault = default(FaultRule);
        foreach (var rule in rules.Where(rule => rule.TryApply(request)))
        {
            if (rule.Kind != FaultKind.Hold)
            {
                fault = rule;
                break;
            }

            await rule.Hold!(context.RequestAborted);
        }

        switch (fault?.Kind)
        {
            case FaultKind.Drop:
                Record(request, status: null, forwarded: false);
                context.Abort();
                return;
            case FaultKind.Fail:
                Record(request, fault.Status, forwarded: false);
                await WriteErrorAsync(context.Response, fault.Status);
                return;
            case FaultKind.FailAfterForwarding:
                using (var discarded = await ForwardAsync(request, context.RequestAborted))
                {
                    Record(request, fault.Status, forwarded: discarded is not null);
                }

                await WriteErrorAsync(context.Response, fault.Status);
                return;
            default:
                using (var response = await ForwardAsync(request, context.RequestAborted))
                {
                    if (response is null)
                    {
                        Record(request, StatusCodes.Status502BadGateway, forwarded: false);
                        await WriteErrorAsync(context.Response, StatusCodes.Status502BadGateway);
                        return;
                    }

                    Record(request, (int)response.StatusCode, forwarded: true);
                    await CopyAsync(response, context.Response, context.RequestAborted);
                }

                return;
        }
    }

    private static async Task<ProxiedRequest> ReadAsync(HttpContext context)
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body, context.RequestAborted);
        var headers = context.Request.Headers.ToDictionary(header => header.Key, header => header.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        var target = context.Features.GetRequiredFeature<IHttpRequestFeature>().RawTarget;
        return new ProxiedRequest(context.Request.Method, target, headers, context.Request.ContentType, body.ToArray());
    }

    /// <summary>Sends the request on with its target and headers untouched; null when the component cannot be reached.</summary>
    private async Task<HttpResponseMessage?> ForwardAsync(ProxiedRequest request, CancellationToken cancellationToken)
    {
        using var message = new HttpRequestMessage(new HttpMethod(request.Method), new Uri(_origin, request.PathAndQuery));
        var hasBody = request.Body.Length > 0 || request.Headers.ContainsKey("Content-Length") || request.ContentType is not null;
        if (hasBody)
        {
            message.Content = new ReadOnlyMemoryContent(request.Body);
        }

        foreach (var (name, value) in request.Headers.Where(header => !HopByHopHeaders.Contains(header.Key)))
        {
            if (!message.Headers.TryAddWithoutValidation(name, value) && hasBody)
            {
                message.Content!.Headers.TryAddWithoutValidation(name, value);
            }
        }

        try
        {
            var response = await _client.SendAsync(message, cancellationToken);
            await response.Content.LoadIntoBufferAsync(cancellationToken);
            return response;
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    private static async Task CopyAsync(HttpResponseMessage from, HttpResponse to, CancellationToken cancellationToken)
    {
        to.StatusCode = (int)from.StatusCode;
        foreach (var (name, values) in from.Headers.Concat(from.Content.Headers).Where(header => !HopByHopHeaders.Contains(header.Key)))
        {
            to.Headers[name] = values.ToArray();
        }

        var body = await from.Content.ReadAsByteArrayAsync(cancellationToken);
        if (body.Length > 0)
        {
            await to.Body.WriteAsync(body, cancellationToken);
        }
    }

    private static async Task WriteErrorAsync(HttpResponse response, int status)
    {
        var body = Encoding.UTF8.GetBytes(
            $"<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>{InjectedErrorCode}</Code><Message>Injected by the fault proxy.</Message></Error>");
        response.StatusCode = status;
        response.ContentType = "application/xml";
        response.Headers["x-ms-error-code"] = InjectedErrorCode;
        response.ContentLength = body.Length;
        await response.Body.WriteAsync(body);
    }

    private void Record(ProxiedRequest request, int? status, bool forwarded) =>
        _log.Enqueue(new ProxiedExchange(request.Method, request.PathAndQuery, status, forwarded));
}
