using System.Diagnostics;
using System.Globalization;

namespace ServerlessCreds.Testing;

/// <summary>
/// How the Functions host starts a custom handler: the executable with its app root as working directory, app settings as
/// environment variables (<c>:</c> written <c>__</c>), and <c>FUNCTIONS_CUSTOMHANDLER_PORT</c>. Of this machine's own
/// environment only what locates the runtime and the home folder passes, so no local setting leaks in.
/// </summary>
public static class CustomHandlerStart
{
    static readonly string[] InheritedVariables = ["PATH", "HOME", "DOTNET_ROOT"];

    public static ProcessStartInfo Info(string appRoot, string executable, IReadOnlyDictionary<string, string?> settings, int port)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var startInfo = new ProcessStartInfo(Path.Combine(appRoot, executable)) { WorkingDirectory = appRoot };
        startInfo.Environment.Clear();
        foreach (var name in InheritedVariables)
        {
            if (Environment.GetEnvironmentVariable(name) is { } value)
            {
                startInfo.Environment[name] = value;
            }
        }

        foreach (var (key, value) in settings)
        {
            startInfo.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        startInfo.Environment["FUNCTIONS_CUSTOMHANDLER_PORT"] = port.ToString(CultureInfo.InvariantCulture);
        return startInfo;
    }
}
