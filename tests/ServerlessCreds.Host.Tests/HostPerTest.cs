using ServerlessCreds.Host.Tests.SecretEmails;

namespace ServerlessCreds.Host.Tests;

/// <summary>Base for tests that each need their own host, because their faults or load must not reach other tests.</summary>
public abstract class HostPerTest(ServerlessCredsApplication app) : IAsyncLifetime
{
    protected ServerlessCredsApplication App { get; } = app;

    internal SecretEmailFlow Flow { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await App.InitializeAsync();
        await App.ReadyAsync();
        Flow = new SecretEmailFlow(App);
    }

    public Task DisposeAsync() => App.DisposeAsync().AsTask();
}
