using System.Diagnostics;
using System.IO.Compression;
using System.Text;
using ServerlessCreds.Testing;

namespace ServerlessCreds.Host.Tests.Deployment;

/// <summary>
/// The zip <c>build-package.sh</c> produces, built once into a temporary folder (a self-contained ReadyToRun publish takes
/// a minute or two) and unpacked beside it.
/// </summary>
public sealed class DeploymentPackage : IAsyncLifetime
{
    static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(10);

    readonly DirectoryInfo workspace = Directory.CreateTempSubdirectory("serverlesscreds-package-");

    public string ZipPath => Path.Combine(workspace.FullName, "out", "serverlesscreds.zip");

    /// <summary>The zip extracted as the Functions host would find it on disk.</summary>
    public string UnpackedFolder => Path.Combine(workspace.FullName, "unpacked");

    public async Task InitializeAsync()
    {
        await RunBuildScriptAsync(Path.Combine(workspace.FullName, "out"));
        ZipFile.ExtractToDirectory(ZipPath, UnpackedFolder);
    }

    public Task DisposeAsync()
    {
        workspace.Delete(recursive: true);
        return Task.CompletedTask;
    }

    public ZipArchive Open() => ZipFile.OpenRead(ZipPath);

    /// <summary>The Unix file type and permission bits a zip built on Unix keeps in the high half of the external attributes.</summary>
    public static int UnixMode(ZipArchiveEntry entry) => (entry.ExternalAttributes >> 16) & 0xFFFF;

    static async Task RunBuildScriptAsync(string output)
    {
        var startInfo = new ProcessStartInfo("bash")
        {
            WorkingDirectory = Repository.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        startInfo.ArgumentList.Add(Path.Combine(Repository.Root, "build-package.sh"));
        startInfo.ArgumentList.Add(output);

        var log = new StringBuilder();
        using var process = new Process { StartInfo = startInfo };
        process.OutputDataReceived += (_, line) => Append(log, line.Data);
        process.ErrorDataReceived += (_, line) => Append(log, line.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var timeout = new CancellationTokenSource(BuildTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            throw new TimeoutException($"build-package.sh did not finish within {BuildTimeout.TotalMinutes} minutes:\n{Text(log)}");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"build-package.sh exited with {process.ExitCode}:\n{Text(log)}");
        }
    }

    static void Append(StringBuilder log, string? line)
    {
        if (line is not null)
        {
            lock (log)
            {
                log.AppendLine(line);
            }
        }
    }

    static string Text(StringBuilder log)
    {
        lock (log)
        {
            return log.ToString();
        }
    }
}
