using System.Diagnostics;
using ServerlessCreds.Testing;

namespace ServerlessCreds.Host.Tests.Faults;

/// <summary>The built host (ServerlessCreds.Host.dll next to the tests) run standalone as its own OS process, so a test can kill it.</summary>
sealed class HostProcess : IAsyncDisposable
{
    readonly ChildProcess process;

    HostProcess(IReadOnlyDictionary<string, string> environment)
    {
        BaseAddress = new Uri($"http://127.0.0.1:{ChildProcess.FreePort()}/");
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = AppContext.BaseDirectory };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "ServerlessCreds.Host.dll"));
        start.Environment["ASPNETCORE_URLS"] = BaseAddress.ToString();
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        process = ChildProcess.Start(start);
    }

    public Uri BaseAddress { get; }

    public string Output => process.Output;

    /// <summary>Starts the process and waits until <paramref name="path"/> answers 200 through it; a port taken meanwhile means a fresh one.</summary>
    public static Task<HostProcess> StartAsync(IReadOnlyDictionary<string, string> environment, HttpClient readiness, string path) =>
        ChildProcess.StartOnFreePortsAsync(
            () => new HostProcess(environment),
            host => host.process.WaitUntilAsync(async () =>
            {
                using var response = await readiness.GetAsync(new Uri(host.BaseAddress, path));
                return response.IsSuccessStatusCode;
            }, TimeSpan.FromSeconds(60), $"answering {path} with 200"));

    /// <summary>SIGKILL, like a crash: no shutdown, no settling of in-flight queue messages.</summary>
    public Task KillAsync() => process.KillAsync();

    public ValueTask DisposeAsync() => process.DisposeAsync();
}
