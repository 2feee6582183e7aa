namespace ServerlessCreds.SecretLinks;

/// <summary>The secret key link tokens are derived from; kept in the vault, identical on every instance.</summary>
public interface ILinkKeySource
{
    Task<byte[]> GetKeyAsync(CancellationToken cancellationToken);
}
