namespace ServerlessCreds.Host.Tests.Deployment;

static class Repository
{
    /// <summary>The folder holding ServerlessCreds.sln, found upwards from the test binaries.</summary>
    public static string Root { get; } = FindRoot();

    static string FindRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "ServerlessCreds.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("Repository root not found.");
    }
}
