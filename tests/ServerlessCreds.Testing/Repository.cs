namespace ServerlessCreds.Testing;

public static class Repository
{
    /// <summary>The folder holding ServerlessCreds.sln (and package.json, host.json, src/), found upwards from the running binaries.</summary>
    public static string Root { get; } = FindRoot();

    static string FindRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "ServerlessCreds.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException($"No ServerlessCreds.sln found above {AppContext.BaseDirectory}.");
    }
}
