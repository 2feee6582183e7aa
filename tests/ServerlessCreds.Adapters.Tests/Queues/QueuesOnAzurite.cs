using ServerlessCreds.Testing.Azurite;

namespace ServerlessCreds.Adapters.Tests.Queues;

[CollectionDefinition(Name)]
public sealed class QueuesOnAzurite : ICollectionFixture<AzuriteFixture>
{
    public const string Name = "Queues on Azurite";
}
