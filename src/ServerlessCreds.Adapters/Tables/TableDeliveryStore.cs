using ServerlessCreds.Common;
using ServerlessCreds.Deliveries;

namespace ServerlessCreds.Adapters.Tables;

/// <summary>
/// Deliveries live in their business unit's partition (row key <c>{applicationId}:{deliveryId}</c>); the link index is
/// one row per token hash that names its delivery, so a reveal is two point reads.
/// </summary>
public sealed class TableDeliveryStore(StorageTables tables) : IDeliveryStore
{
    static readonly string[] OpenStatuses = [nameof(DeliveryStatus.Queued), nameof(DeliveryStatus.Sending), nameof(DeliveryStatus.Sent)];

    public async Task<Delivery> AddAsync(Delivery delivery, CancellationToken cancellationToken)
    {
        try
        {
            return delivery with { Version = await tables.Deliveries.AddAsync(ToEntity(delivery), cancellationToken) };
        }
        catch (TableConflictException)
        {
            // Ids are fresh, so a conflict means a retry found our own write whose response was lost.
            return await FindAsync(delivery.BusinessUnit, delivery.ApplicationId, delivery.DeliveryId, cancellationToken)
                ?? throw new InvalidOperationException($"Delivery id {delivery.DeliveryId} collided.");
        }
    }

    public async Task<Delivery?> FindAsync(string businessUnit, string applicationId, string deliveryId, CancellationToken cancellationToken)
    {
        var row = await tables.Deliveries.GetAsync(businessUnit, RowKey(applicationId, deliveryId), cancellationToken);
        return row is null ? null : ToDelivery(row);
    }

    public async Task<Delivery> UpdateAsync(Delivery delivery, CancellationToken cancellationToken)
    {
        try
        {
            var etag = await tables.Deliveries.UpdateAsync(ToEntity(delivery), delivery.Version, TableUpdateMode.Replace, cancellationToken);
            return delivery with { Version = etag };
        }
        catch (Exception e) when (e is TablePreconditionFailedException or TableNotFoundException)
        {
            throw DomainException.VersionMismatch();
        }
    }

    public async Task AddLinkAsync(string tokenHash, Delivery delivery, CancellationToken cancellationToken)
    {
        var entity = new TableEntity(tokenHash, "")
        {
            ["BusinessUnit"] = delivery.BusinessUnit,
            ["ApplicationId"] = delivery.ApplicationId,
            ["DeliveryId"] = delivery.DeliveryId,
        };
        await tables.SecretLinks.UpsertAsync(entity, TableUpdateMode.Replace, cancellationToken);
    }

    public async Task<Delivery?> FindByLinkAsync(string tokenHash, CancellationToken cancellationToken)
    {
        var link = await tables.SecretLinks.GetAsync(tokenHash, "", cancellationToken);
        return link is null ? null : await FindAsync(link.GetString("BusinessUnit")!, link.GetString("ApplicationId")!, link.GetString("DeliveryId")!, cancellationToken);
    }

    public async Task<IReadOnlyList<Delivery>> ListExpiredOpenAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var filter = TableFilter.And(
            TableFilter.Or([.. OpenStatuses.Select(status => TableFilter.Equal("Status", status))]),
            TableFilter.LessThanOrEqual("ExpiresAt", now));
        return (await TablePages.ReadAllAsync(tables.Deliveries, filter, cancellationToken)).Select(ToDelivery).ToList();
    }

    static string RowKey(string applicationId, string deliveryId) => $"{applicationId}:{deliveryId}";

    static TableEntity ToEntity(Delivery delivery) =>
        new(delivery.BusinessUnit, RowKey(delivery.ApplicationId, delivery.DeliveryId))
        {
            ["SecretId"] = delivery.SecretId,
            ["RecipientEmail"] = delivery.RecipientEmail,
            ["RecipientName"] = delivery.RecipientName,
            ["CreatedAt"] = delivery.CreatedAt,
            ["CreatedBy"] = delivery.CreatedBy,
            ["CreatedByName"] = delivery.CreatedByName,
            ["ExpiresAt"] = delivery.ExpiresAt,
            ["Status"] = delivery.Status.ToString(),
            ["SentAt"] = delivery.SentAt,
            ["ViewedAt"] = delivery.ViewedAt,
            ["FailureReason"] = delivery.FailureReason,
            ["PassphraseHash"] = delivery.PassphraseHash,
            ["WrongPassphrases"] = delivery.WrongPassphrases,
            ["ClaimedBy"] = delivery.ClaimedBy,
            ["ClaimedUntil"] = delivery.ClaimedUntil,
            ["RevealAttemptId"] = delivery.RevealAttemptId,
        };

    static Delivery ToDelivery(TableEntity row)
    {
        var ids = row.RowKey.Split(':');
        return new Delivery
        {
            DeliveryId = ids[1],
            BusinessUnit = row.PartitionKey,
            ApplicationId = ids[0],
            SecretId = row.GetString("SecretId")!,
            RecipientEmail = row.GetString("RecipientEmail")!,
            RecipientName = row.GetString("RecipientName"),
            CreatedAt = row.GetDateTimeOffset("CreatedAt")!.Value,
            CreatedBy = row.GetString("CreatedBy")!,
            CreatedByName = row.GetString("CreatedByName")!,
            ExpiresAt = row.GetDateTimeOffset("ExpiresAt")!.Value,
            Status = Enum.Parse<DeliveryStatus>(row.GetString("Status")!),
            SentAt = row.GetDateTimeOffset("SentAt"),
            ViewedAt = row.GetDateTimeOffset("ViewedAt"),
            FailureReason = row.GetString("FailureReason"),
            PassphraseHash = row.GetString("PassphraseHash"),
            WrongPassphrases = row.GetInt32("WrongPassphrases") ?? 0,
            ClaimedBy = row.GetString("ClaimedBy"),
            ClaimedUntil = row.GetDateTimeOffset("ClaimedUntil"),
            RevealAttemptId = row.GetString("RevealAttemptId"),
            Version = row.ETag!,
        };
    }
}
