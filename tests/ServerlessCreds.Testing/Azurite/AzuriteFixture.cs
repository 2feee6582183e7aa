using Xunit;

namespace ServerlessCreds.Testing.Azurite;

/// <summary>
/// One Azurite per xunit test collection. Declare the collection in the test assembly
/// (<c>[CollectionDefinition("...")] public sealed class XCollection : ICollectionFixture&lt;AzuriteFixture&gt;;</c>) and take the
/// fixture in test constructors; use <see cref="StorageNames"/> so tests sharing the instance never share a table or queue.
/// </summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    private AzuriteInstance? _azurite;

    public AzuriteInstance Azurite => _azurite ?? throw new InvalidOperationException("The Azurite fixture has not started.");

    public string ConnectionString => Azurite.ConnectionString;

    public async Task InitializeAsync() => _azurite = await AzuriteInstance.StartNewAsync();

    public async Task DisposeAsync()
    {
        if (_azurite is not null)
        {
            await _azurite.DisposeAsync();
        }
    }
}
