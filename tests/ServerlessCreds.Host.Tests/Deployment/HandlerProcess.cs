using System.Globalization;
using ServerlessCreds.Testing;

namespace ServerlessCreds.Host.Tests.Deployment;

/// <summary>
/// A packaged handler started the way the Functions host starts a custom handler (<see cref="CustomHandlerStart"/>).
/// Disposing kills it.
/// </summary>
sealed class HandlerProcess : IAsyncDisposable
{
    readonly ChildProcess process;

    HandlerProcess(string appRoot, string executable, IReadOnlyDictionary<string, string?> settings)
    {
        Port = ChildProcess.FreePort();
        process = ChildProcess.Start(CustomHandlerStart.Info(appRoot, executable, settings, Port));
    }

    public int Port { get; }

    public Uri Address => new($"http://127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}");

    /// <summary>What the process wrote to stdout and stderr so far.</summary>
    public string Output => process.Output;

    /// <summary>
    /// Starts the handler and polls <c>GET /</c> as the host does until it answers: any HTTP response means ready, only
    /// connection failures mean not yet. A port taken before the handler could bind it means a fresh one.
    /// </summary>
    public static async Task<HandlerProcess> StartAsync(string appRoot, string executable, IReadOnlyDictionary<string, string?> settings, TimeSpan timeout)
    {
        using var probe = new HttpClient { Timeout = timeout };
        return await ChildProcess.StartOnFreePortsAsync(
            () => new HandlerProcess(appRoot, executable, settings),
            handler => handler.process.WaitUntilAsync(async () =>
            {
                using var response = await probe.GetAsync(new Uri(handler.Address, "/"));
                return true;
            }, timeout, "answering"));
    }

    public ValueTask DisposeAsync() => process.DisposeAsync();
}
