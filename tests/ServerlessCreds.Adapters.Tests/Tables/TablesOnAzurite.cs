using ServerlessCreds.Testing.Azurite;

namespace ServerlessCreds.Adapters.Tests.Tables;

[CollectionDefinition(Name)]
public sealed class TablesOnAzurite : ICollectionFixture<AzuriteFixture>
{
    public const string Name = "Tables on Azurite";
}
