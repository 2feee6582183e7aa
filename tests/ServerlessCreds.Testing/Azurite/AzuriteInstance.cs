using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace ServerlessCreds.Testing.Azurite;

/// <summary>
/// A private Azurite process (blob, queue and table services) on free 127.0.0.1 ports, run from the repo's
/// <c>node_modules</c> with in-memory persistence. <see cref="StopAsync"/> then <see cref="StartAsync"/> brings the same
/// endpoints down and back up for fault tests; all data is lost across a restart because nothing is persisted.
/// </summary>
public sealed class AzuriteInstance : IAsyncDisposable
{
    /// <summary>The emulator's well-known public account and key (documented by Microsoft; not secrets).</summary>
    public const string AccountName = "devstoreaccount1";

    public const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    private readonly string _executable;
    private readonly string _workspace;
    private ChildProcess? _process;

    private AzuriteInstance(string executable)
    {
        _executable = executable;
        _workspace = Directory.CreateTempSubdirectory("azurite-").FullName;
        BlobPort = ChildProcess.FreePort();
        QueuePort = ChildProcess.FreePort();
        TablePort = ChildProcess.FreePort();
    }

    public int BlobPort { get; }

    public int QueuePort { get; }

    public int TablePort { get; }

    public Uri TableServiceUri => new($"http://127.0.0.1:{TablePort}/{AccountName}");

    public Uri QueueServiceUri => new($"http://127.0.0.1:{QueuePort}/{AccountName}");

    public Uri BlobServiceUri => new($"http://127.0.0.1:{BlobPort}/{AccountName}");

    /// <summary>The explicit connection string form, pointing at this instance's ports.</summary>
    public string ConnectionString => ConnectionStringThrough();

    /// <summary>A connection string whose table and/or queue endpoint goes through a proxy (the path keeps the account name, so signatures still match).</summary>
    public string ConnectionStringThrough(Faults.FaultProxy? tables = null, Faults.FaultProxy? queues = null)
    {
        var tableEndpoint = tables is null ? TableServiceUri : new Uri(tables.Address, AccountName);
        var queueEndpoint = queues is null ? QueueServiceUri : new Uri(queues.Address, AccountName);
        return $"DefaultEndpointsProtocol=http;AccountName={AccountName};AccountKey={AccountKey};" +
            $"BlobEndpoint={BlobServiceUri};QueueEndpoint={queueEndpoint};TableEndpoint={tableEndpoint};";
    }

    /// <summary>Starts a new instance and waits until all three services accept connections; a port taken meanwhile means fresh ones.</summary>
    public static Task<AzuriteInstance> StartNewAsync() =>
        ChildProcess.StartOnFreePortsAsync(() => new AzuriteInstance(FindExecutable()), instance => instance.StartAsync());

    /// <summary>Starts (or restarts) the process on this instance's ports; storage starts out empty.</summary>
    public async Task StartAsync()
    {
        if (_process is not null)
        {
            throw new InvalidOperationException("Azurite is already running.");
        }

        var startInfo = new ProcessStartInfo(_executable)
        {
            // In-memory mode refuses --location; a private working directory keeps any stray files out of the repo.
            WorkingDirectory = _workspace,
        };
        foreach (var argument in Arguments())
        {
            startInfo.ArgumentList.Add(argument);
        }

        var process = _process = ChildProcess.Start(startInfo);
        try
        {
            foreach (var port in new[] { BlobPort, QueuePort, TablePort })
            {
                await process.WaitUntilAsync(async () =>
                {
                    using var client = new TcpClient();
                    await client.ConnectAsync(IPAddress.Loopback, port);
                    return true;
                }, StartTimeout, $"listening on port {port}");
            }
        }
        catch
        {
            await StopAsync();
            throw;
        }
    }

    /// <summary>Kills the process tree; the ports refuse connections until <see cref="StartAsync"/>.</summary>
    public async Task StopAsync()
    {
        if (_process is not { } process)
        {
            return;
        }

        _process = null;
        await process.DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        try
        {
            Directory.Delete(_workspace, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }
    }

    private IEnumerable<string> Arguments() =>
    [
        "--inMemoryPersistence", "--silent", "--skipApiVersionCheck", "--disableTelemetry",
        "--blobHost", "127.0.0.1", "--blobPort", BlobPort.ToString(CultureInfo.InvariantCulture),
        "--queueHost", "127.0.0.1", "--queuePort", QueuePort.ToString(CultureInfo.InvariantCulture),
        "--tableHost", "127.0.0.1", "--tablePort", TablePort.ToString(CultureInfo.InvariantCulture),
    ];

    /// <summary>Azurite as <c>npm ci</c> installs it beside the repository's package.json.</summary>
    private static string FindExecutable()
    {
        var executable = Path.Combine(Repository.Root, "node_modules", ".bin", OperatingSystem.IsWindows() ? "azurite.cmd" : "azurite");
        return File.Exists(executable)
            ? executable
            : throw new InvalidOperationException($"Azurite is not installed: {executable} is missing. Run `npm ci` in {Repository.Root}.");
    }
}
