using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ServerlessCreds.Testing.KeyVault;

/// <summary>
/// An HTTP proxy on 127.0.0.1 that tunnels <c>CONNECT {host name}:443</c> to a loopback port and refuses anything else
/// (403). A process given it as <c>HTTPS_PROXY</c> reaches a local server under a real service's host name: no name is
/// resolved, and TLS runs end to end between the process and the server.
/// </summary>
internal sealed class HostNameProxy : IAsyncDisposable
{
    private const int MaxHeadBytes = 8 * 1024;

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stopping = new();
    private readonly string _hostName;
    private readonly int _targetPort;
    private readonly Task _accepting;

    private HostNameProxy(string hostName, int targetPort)
    {
        _hostName = hostName;
        _targetPort = targetPort;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    /// <summary>The value for <c>HTTPS_PROXY</c>.</summary>
    public Uri Address => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port.ToString(CultureInfo.InvariantCulture)}/");

    public static HostNameProxy Start(string hostName, int targetPort) => new(hostName, targetPort);

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Stop();
        await _accepting;
        _stopping.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stopping.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = TunnelAsync(client);
        }
    }

    private async Task TunnelAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                var head = await ReadHeadAsync(stream);
                if (head is null || !IsConnectToHost(head))
                {
                    await WriteAsync(stream, "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
                    return;
                }

                using var upstream = new TcpClient();
                try
                {
                    await upstream.ConnectAsync(IPAddress.Loopback, _targetPort, _stopping.Token);
                }
                catch (SocketException)
                {
                    await WriteAsync(stream, "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
                    return;
                }

                await WriteAsync(stream, "HTTP/1.1 200 Connection Established\r\n\r\n");
                var target = upstream.GetStream();
                await Task.WhenAll(PipeAsync(stream, target, upstream.Client), PipeAsync(target, stream, client.Client));
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // Either side went away, or the proxy stopped: the tunnel ends like a dropped connection.
            }
        }
    }

    // The client sends nothing after the head until the proxy answers it, so no tunnel bytes are read here.
    private async Task<string?> ReadHeadAsync(NetworkStream stream)
    {
        var buffer = new byte[MaxHeadBytes];
        var length = 0;
        while (length < buffer.Length)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(length), _stopping.Token);
            if (read == 0)
            {
                return null;
            }

            length += read;
            var head = Encoding.ASCII.GetString(buffer, 0, length);
            if (head.Contains("\r\n\r\n", StringComparison.Ordinal))
            {
                return head;
            }
        }

        return null;
    }

    private bool IsConnectToHost(string head)
    {
        var requestLine = head[..head.IndexOf("\r\n", StringComparison.Ordinal)].Split(' ');
        return requestLine is ["CONNECT", var authority, "HTTP/1.1"]
            && string.Equals(authority, $"{_hostName}:443", StringComparison.OrdinalIgnoreCase);
    }

    private async Task PipeAsync(NetworkStream from, NetworkStream to, Socket toSocket)
    {
        await from.CopyToAsync(to, _stopping.Token);
        toSocket.Shutdown(SocketShutdown.Send);
    }

    private Task WriteAsync(NetworkStream stream, string response) =>
        stream.WriteAsync(Encoding.ASCII.GetBytes(response), _stopping.Token).AsTask();
}
