using ServerlessCreds.Adapters.Storage;
using ServerlessCreds.Testing.Azurite;
using ServerlessCreds.Testing.Faults;

namespace ServerlessCreds.Adapters.Tests.Faults;

/// <summary>One Azurite for the fault tests; each test puts its own <see cref="FaultProxy"/> in front of it.</summary>
[CollectionDefinition(Name)]
public sealed class FaultsOnAzurite : ICollectionFixture<AzuriteFixture>
{
    public const string Name = "Faults on Azurite";

    /// <summary>Three retries (the default count) without the default back-off, so failing tests stay fast.</summary>
    public static StorageClientOptions FastRetries => new() { Retry = { Delay = TimeSpan.FromMilliseconds(10), MaxDelay = TimeSpan.FromMilliseconds(10) } };

    /// <summary>The Azurite account with its table and/or queue endpoint moved to a proxy; the path keeps the account name.</summary>
    public static StorageAccount Account(AzuriteInstance azurite, FaultProxy? tables = null, FaultProxy? queues = null) =>
        StorageAccount.Parse(azurite.ConnectionStringThrough(tables, queues));
}
