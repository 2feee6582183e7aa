namespace ServerlessCreds.Testing.Azurite;

/// <summary>
/// One Azurite per test process for tests that only need working storage; they isolate themselves by business unit
/// or unique names. Tests that stop storage start their own <see cref="AzuriteInstance"/>.
/// </summary>
public static class SharedAzurite
{
    static readonly Lazy<Task<AzuriteInstance>> Instance = new(StartAsync);

    public static Task<AzuriteInstance> GetAsync() => Instance.Value;

    static async Task<AzuriteInstance> StartAsync()
    {
        var azurite = await AzuriteInstance.StartNewAsync();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => azurite.DisposeAsync().AsTask().GetAwaiter().GetResult();
        return azurite;
    }
}
