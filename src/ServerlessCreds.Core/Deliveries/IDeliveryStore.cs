namespace ServerlessCreds.Deliveries;

/// <summary>Persistence for deliveries and the link index (token hash to delivery).</summary>
public interface IDeliveryStore
{
    Task<Delivery> AddAsync(Delivery delivery, CancellationToken cancellationToken);

    Task<Delivery?> FindAsync(string businessUnit, string applicationId, string deliveryId, CancellationToken cancellationToken);

    /// <summary>Replaces the delivery if its stored version still equals <see cref="Delivery.Version"/>; otherwise throws a version mismatch.</summary>
    Task<Delivery> UpdateAsync(Delivery delivery, CancellationToken cancellationToken);

    /// <summary>Records that the link whose token hashes to <paramref name="tokenHash"/> opens <paramref name="delivery"/>. Idempotent.</summary>
    Task AddLinkAsync(string tokenHash, Delivery delivery, CancellationToken cancellationToken);

    Task<Delivery?> FindByLinkAsync(string tokenHash, CancellationToken cancellationToken);

    /// <summary>Open deliveries (queued, sending or sent) whose link expired before <paramref name="now"/>, across business units.</summary>
    Task<IReadOnlyList<Delivery>> ListExpiredOpenAsync(DateTimeOffset now, CancellationToken cancellationToken);
}

public interface ISecretEmailRequests
{
    Task EnqueueAsync(SecretEmailMessage message, CancellationToken cancellationToken);
}
