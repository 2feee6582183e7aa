using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ServerlessCreds.Host.Tests.Faults;

/// <summary>The built host (ServerlessCreds.Host.dll next to the tests) run standalone as its own OS process, so a test can kill it.</summary>
sealed class HostProcess : IAsyncDisposable
{
    readonly Process process;
    readonly StringBuilder output = new();

    HostProcess(IReadOnlyDictionary<string, string> environment)
    {
        BaseAddress = new Uri($"http://127.0.0.1:{FreePort()}/");
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "ServerlessCreds.Host.dll"));
        start.Environment["ASPNETCORE_URLS"] = BaseAddress.ToString();
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, line) => Capture(line.Data);
        process.ErrorDataReceived += (_, line) => Capture(line.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public Uri BaseAddress { get; }

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

    /// <summary>Starts the process and waits until <paramref name="readiness"/> answers 200 through it.</summary>
    public static async Task<HostProcess> StartAsync(IReadOnlyDictionary<string, string> environment, HttpClient readiness, string path)
    {
        var host = new HostProcess(environment);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            Assert.False(host.process.HasExited, $"The host exited early:\n{host.Output}");
            Assert.True(DateTime.UtcNow < deadline, $"The host did not become ready:\n{host.Output}");
            try
            {
                if ((await readiness.GetAsync(new Uri(host.BaseAddress, path))).IsSuccessStatusCode)
                {
                    return host;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(200);
        }
    }

    /// <summary>SIGKILL, like a crash: no shutdown, no settling of in-flight queue messages.</summary>
    public async Task KillAsync()
    {
        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            await KillAsync();
        }

        process.Dispose();
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

    static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
