using ServerlessCreds.Adapters.Tables;
using ServerlessCreds.Common;
using ServerlessCreds.SecretLinks;

namespace ServerlessCreds.Host.Http;

/// <summary>The response a creating request produced, as replayed for a repeat of that request.</summary>
sealed record IdempotentResponse(int Status, string? Location, string? ETag, string? ContentType, byte[] Body);

/// <summary>What a reservation attempt found.</summary>
abstract record IdempotencyOutcome
{
    IdempotencyOutcome()
    {
    }

    /// <summary>This request holds the key and runs; it must <see cref="IdempotencyStore.CompleteAsync"/> or <see cref="IdempotencyStore.ReleaseAsync"/>.</summary>
    public sealed record Reserved(string Scope, string Version) : IdempotencyOutcome;

    public sealed record InProgress : IdempotencyOutcome;

    public sealed record Completed(IdempotentResponse Response) : IdempotencyOutcome;

    /// <summary>The key is held for a different request body.</summary>
    public sealed record Mismatch : IdempotencyOutcome;
}

/// <summary>
/// One row per key scope in the Idempotency table. The row is inserted before the request runs, so of two concurrent
/// requests exactly one wins the insert; it then holds a lease until it stores its response or releases the key.
/// A lease outlives any request (the Functions front end gives up after 230 s), so only a crashed holder's key is taken over.
/// Each reservation carries a random id, so a write whose answer was lost (its retry conflicts with it) is still this request's.
/// </summary>
sealed class IdempotencyStore(StorageTables tables, ILinkKeySource keys, TimeProvider clock)
{
    public static readonly TimeSpan Retention = TimeSpan.FromHours(24);
    static readonly TimeSpan Lease = TimeSpan.FromMinutes(5);
    const int MaxAttempts = 3;

    TableClient Table => tables.Idempotency;

    /// <summary>Reads the vault key first, so an unreachable vault fails the request before anything is reserved or created.</summary>
    public async Task<IdempotencyOutcome> ReserveAsync(string scope, ReadOnlyMemory<byte> requestBody, CancellationToken cancellationToken)
    {
        var key = await keys.GetKeyAsync(cancellationToken);
        var requestHash = IdempotencyProtector.RequestHash(key, requestBody.Span);
        var reservationId = Ids.NewRandom();
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var now = clock.GetUtcNow();
            try
            {
                return new IdempotencyOutcome.Reserved(scope, await Table.AddAsync(Reservation(scope, requestHash, reservationId, now), cancellationToken));
            }
            catch (TableConflictException)
            {
            }

            var row = await Table.GetAsync(scope, "", cancellationToken);
            if (row is null)
            {
                continue; // released meanwhile
            }

            if (row.GetString("ReservationId") == reservationId)
            {
                return new IdempotencyOutcome.Reserved(scope, row.ETag!);
            }

            var expired = row.GetDateTimeOffset("ExpiresAt") <= now;
            if (!expired && row.GetString("RequestHash") != requestHash)
            {
                return new IdempotencyOutcome.Mismatch();
            }

            if (!expired && row.GetInt32("ResponseStatus") is not null)
            {
                return new IdempotencyOutcome.Completed(ToResponse(key, row));
            }

            if (!expired && row.GetDateTimeOffset("LeaseExpiresAt") > now)
            {
                return new IdempotencyOutcome.InProgress();
            }

            try
            {
                var version = await Table.UpdateAsync(Reservation(scope, requestHash, reservationId, now), row.ETag!, TableUpdateMode.Replace, cancellationToken);
                return new IdempotencyOutcome.Reserved(scope, version);
            }
            catch (Exception e) when (e is TablePreconditionFailedException or TableNotFoundException)
            {
                // Another request took the expired or abandoned row over first; look again.
            }
        }

        return new IdempotencyOutcome.InProgress();
    }

    public async Task CompleteAsync(IdempotencyOutcome.Reserved reservation, IdempotentResponse response, CancellationToken cancellationToken)
    {
        var key = await keys.GetKeyAsync(cancellationToken);
        var row = new TableEntity(reservation.Scope, "")
        {
            ["ResponseStatus"] = response.Status,
            ["ResponseLocation"] = response.Location,
            ["ResponseETag"] = response.ETag,
            ["ResponseContentType"] = response.ContentType,
            ["ResponseBody"] = IdempotencyProtector.Seal(key, reservation.Scope, response.Body),
        };
        await Table.UpdateAsync(row, reservation.Version, TableUpdateMode.Merge, cancellationToken);
    }

    /// <summary>Gives the key back so a retry runs again; a no-op if another request has taken it over.</summary>
    public async Task ReleaseAsync(IdempotencyOutcome.Reserved reservation, CancellationToken cancellationToken)
    {
        try
        {
            await Table.DeleteAsync(reservation.Scope, "", reservation.Version, cancellationToken);
        }
        catch (Exception e) when (e is TablePreconditionFailedException or TableNotFoundException)
        {
        }
    }

    /// <summary>Deletes rows past their retention; a row re-reserved meanwhile (new ETag) is left alone.</summary>
    public async Task<int> PurgeExpiredAsync(CancellationToken cancellationToken)
    {
        var filter = TableFilter.LessThanOrEqual("ExpiresAt", clock.GetUtcNow());
        var purged = 0;
        string? continuation = null;
        do
        {
            var page = await Table.QueryAsync(filter, continuationToken: continuation, cancellationToken: cancellationToken);
            foreach (var row in page.Items)
            {
                try
                {
                    await Table.DeleteAsync(row.PartitionKey, row.RowKey, row.ETag!, cancellationToken);
                    purged++;
                }
                catch (Exception e) when (e is TablePreconditionFailedException or TableNotFoundException)
                {
                }
            }

            continuation = page.ContinuationToken;
        }
        while (continuation is not null);

        return purged;
    }

    static TableEntity Reservation(string scope, string requestHash, string reservationId, DateTimeOffset now) =>
        new(scope, "")
        {
            ["RequestHash"] = requestHash,
            ["ReservationId"] = reservationId,
            ["ExpiresAt"] = now + Retention,
            ["LeaseExpiresAt"] = now + Lease,
        };

    static IdempotentResponse ToResponse(byte[] key, TableEntity row) =>
        new(
            row.GetInt32("ResponseStatus")!.Value,
            row.GetString("ResponseLocation"),
            row.GetString("ResponseETag"),
            row.GetString("ResponseContentType"),
            IdempotencyProtector.Open(key, row.PartitionKey, row.GetBinary("ResponseBody") ?? []));
}
