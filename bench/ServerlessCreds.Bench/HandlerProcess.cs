using System.Diagnostics;
using System.Globalization;
using System.Net;
using ServerlessCreds.Testing;

namespace ServerlessCreds.Bench;

/// <summary>
/// A published app started as the Functions host starts a custom handler (<see cref="CustomHandlerStart"/>); not a
/// <see cref="ChildProcess"/>, because cold start needs the spawn time, a 10 ms poll and the process id for its memory.
/// </summary>
sealed class HandlerProcess : IAsyncDisposable
{
    readonly Process process;
    readonly string app;

    /// <param name="oneCore">Started through <c>taskset</c> on one core, as a default (2048 MB) Flex Consumption instance has.</param>
    public HandlerProcess(string folder, string executable, IReadOnlyDictionary<string, string?> settings, bool oneCore = false)
    {
        Port = ChildProcess.FreePort();
        var start = CustomHandlerStart.Info(folder, executable, settings, Port);
        app = start.FileName;
        if (oneCore)
        {
            // taskset sets the affinity and then replaces itself with the app, so the process id stays the app's.
            start.ArgumentList.Insert(0, start.FileName);
            start.ArgumentList.Insert(0, (Environment.ProcessorCount - 1).ToString(CultureInfo.InvariantCulture));
            start.ArgumentList.Insert(0, "--cpu-list");
            start.FileName = "taskset";
        }

        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        Started = Stopwatch.GetTimestamp();
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public int Port { get; }

    public long Started { get; }

    public Uri Address => new($"http://127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}/");

    /// <summary>Polls until <paramref name="request"/> answers 200; returns the time since the process was spawned.</summary>
    public async Task<TimeSpan> WaitForOkAsync(HttpClient client, Func<HttpRequestMessage> request, TimeSpan timeout)
    {
        var lastAnswer = "no answer";
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"{app} exited with code {process.ExitCode}.");
            }

            try
            {
                using var message = request();
                using var response = await client.SendAsync(message);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return Stopwatch.GetElapsedTime(Started);
                }

                lastAnswer = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            if (Stopwatch.GetElapsedTime(Started) > timeout)
            {
                throw new TimeoutException($"{app} did not answer 200 within {timeout}; last answer: {lastAnswer}");
            }

            await Task.Delay(10);
        }
    }

    /// <summary>Peak and current resident set size in MiB (VmHWM, VmRSS).</summary>
    public (double Peak, double Current) Memory()
    {
        var status = File.ReadAllLines($"/proc/{process.Id}/status");
        double Kib(string field) => double.Parse(status.First(l => l.StartsWith(field, StringComparison.Ordinal)).Split(':')[1].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
        return (Kib("VmHWM") / 1024, Kib("VmRSS") / 1024);
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
        }

        await process.WaitForExitAsync();
        process.Dispose();
    }
}
