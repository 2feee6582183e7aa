using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.Versioning;
using ServerlessCreds.Testing;

namespace ServerlessCreds.Host.Tests.LocalDevelopment;

/// <summary>
/// run.sh, run from a copy whose <c>dotnet</c> is a stand-in that records how the server would start, and whose Azurite
/// ports are held open here, so nothing is built or started.
/// </summary>
[UnsupportedOSPlatform("windows")]
public sealed class RunScriptTests : IDisposable
{
    readonly string folder = Directory.CreateTempSubdirectory("serverlesscreds-run-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Theory]
    [InlineData(null, "http://localhost:5080", "http://localhost:5080")]
    [InlineData("http://localhost:5391", "http://localhost:5391", "http://localhost:5391")]
    [InlineData("http://localhost:5391;https://localhost:5392", "http://localhost:5391;https://localhost:5392", "http://localhost:5391")]
    public async Task Emailed_links_point_at_the_url_the_server_listens_on(string? serverUrl, string urls, string publicBaseUrl)
    {
        var script = Path.Combine(folder, "run.sh");
        File.Copy(Path.Combine(Repository.Root, "run.sh"), script);
        Directory.CreateDirectory(Path.Combine(folder, "node_modules", ".bin"));
        WriteExecutable(Path.Combine(folder, "node_modules", ".bin", "azurite"), "#!/bin/sh\n");
        File.WriteAllText(Path.Combine(folder, "package-lock.json"), "{}");
        File.WriteAllText(Path.Combine(folder, "node_modules", ".package-lock.json"), "{}");
        File.SetLastWriteTimeUtc(Path.Combine(folder, "package-lock.json"), DateTime.UtcNow.AddMinutes(-1));
        var bin = Directory.CreateDirectory(Path.Combine(folder, "bin")).FullName;
        var record = Path.Combine(folder, "dotnet-run.txt");
        WriteExecutable(Path.Combine(bin, "dotnet"), $"""
            #!/bin/sh
            if [ "$1" = run ]; then printf '%s\n' "PublicBaseUrl=$PublicBaseUrl" "$*" > '{record}'; fi
            """);
        using var blob = HoldOpen(10001);
        using var queue = HoldOpen(10002);

        var start = new ProcessStartInfo("bash", [script]) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["PATH"] = $"{bin}:{Environment.GetEnvironmentVariable("PATH")}";
        start.Environment.Remove("PublicBaseUrl");
        if (serverUrl is not null)
        {
            start.Environment["SERVERLESSCREDS_URL"] = serverUrl;
        }
        else
        {
            start.Environment.Remove("SERVERLESSCREDS_URL");
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));

        Assert.True(process.ExitCode == 0, $"run.sh exited with {process.ExitCode}: {await output}{await errors}");
        var lines = File.ReadAllLines(record);
        Assert.Equal($"PublicBaseUrl={publicBaseUrl}", lines[0]);
        Assert.EndsWith($"--urls {urls}", lines[1], StringComparison.Ordinal);
    }

    static void WriteExecutable(string path, string text)
    {
        File.WriteAllText(path, text.ReplaceLineEndings("\n"));
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    /// <summary>Listens on an Azurite port so run.sh uses "the Azurite already listening"; null when something else already does.</summary>
    static TcpListener? HoldOpen(int port)
    {
        try
        {
            var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return listener;
        }
        catch (SocketException)
        {
            return null;
        }
    }
}
