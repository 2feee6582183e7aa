using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ServerlessCreds.Testing;

/// <summary>A process a test starts and always kills; its standard output and error are kept for failure messages.</summary>
public sealed class ChildProcess : IAsyncDisposable
{
    static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(10);
    static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);

    readonly Process process;
    readonly StringBuilder output = new();

    ChildProcess(ProcessStartInfo startInfo)
    {
        startInfo.RedirectStandardOutput = true;
        startInfo.RedirectStandardError = true;
        startInfo.UseShellExecute = false;
        process = new Process { StartInfo = startInfo };
        process.OutputDataReceived += (_, line) => Capture(line.Data);
        process.ErrorDataReceived += (_, line) => Capture(line.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public bool HasExited => process.HasExited;

    public int ExitCode => process.ExitCode;

    /// <summary>What the process wrote to standard output and error so far.</summary>
    public string Output
    {
        get
        {
            lock (output)
            {
                return output.ToString();
            }
        }
    }

    public static ChildProcess Start(ProcessStartInfo startInfo) => new(startInfo);

    /// <summary>
    /// Starts a child on ports picked with <see cref="FreePort"/>: <paramref name="create"/> picks them and starts it,
    /// <paramref name="waitUntilUp"/> waits for it. Another process (an outgoing connection, say) can take a port between the
    /// pick and the child's bind; the child then exits with "address already in use", and a new one is started on fresh
    /// ports, three tries in all. A start that fails otherwise is disposed and its error thrown.
    /// </summary>
    public static async Task<T> StartOnFreePortsAsync<T>(Func<T> create, Func<T, Task> waitUntilUp)
        where T : IAsyncDisposable
    {
        ArgumentNullException.ThrowIfNull(create);
        ArgumentNullException.ThrowIfNull(waitUntilUp);
        const int attempts = 3;
        for (var attempt = 1; ; attempt++)
        {
            var child = create();
            try
            {
                await waitUntilUp(child);
                return child;
            }
            catch (InvalidOperationException e) when (attempt < attempts && e.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
            {
                // Node says "EADDRINUSE: address already in use", Kestrel "Failed to bind to address ...: address already in use".
                await child.DisposeAsync();
            }
            catch
            {
                await child.DisposeAsync();
                throw;
            }
        }
    }

    /// <summary>
    /// Polls <paramref name="isReady"/> until it returns true. A probe failing to connect (<see cref="HttpRequestException"/>,
    /// <see cref="SocketException"/>) means not yet; the process exiting, or <paramref name="timeout"/> passing, fails with its output.
    /// </summary>
    public async Task WaitUntilAsync(Func<Task<bool>> isReady, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (process.HasExited)
            {
                await process.WaitForExitAsync(); // until its last output lines are captured too
                throw new InvalidOperationException($"{process.StartInfo.FileName} exited with code {process.ExitCode} before {what}. Output:\n{Output}");
            }

            try
            {
                if (await isReady())
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or SocketException)
            {
                // Not listening yet.
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{process.StartInfo.FileName} was not {what} within {timeout.TotalSeconds} s. Output:\n{Output}");
            }

            await Task.Delay(PollInterval);
        }
    }

    /// <summary>SIGKILL, like a crash: no shutdown, nothing settled.</summary>
    public async Task KillAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
        }

        using var timeout = new CancellationTokenSource(ExitTimeout);
        await process.WaitForExitAsync(timeout.Token);
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        process.Dispose();
    }

    /// <summary>A loopback port that was free a moment ago.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    void Capture(string? line)
    {
        if (line is not null)
        {
            lock (output)
            {
                output.AppendLine(line);
            }
        }
    }
}
