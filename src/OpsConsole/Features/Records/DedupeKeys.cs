namespace OpsConsole.Features.Records;

/// <summary>
/// The shape of a record's dedupe key when its item has a time of its own: that time (Unix milliseconds, 12 hex digits,
/// so text order is time order) and then the content hash. Hash-only keys put every new record at a random place of
/// the unique index: at 10 M records each insert dirtied a leaf page of its own (a 444 MB index), which the WAL and
/// then the checkpoint wrote out again for every record. Keys that start with the time put a live fleet's records at a
/// few leaf pages near its clock.
/// <para>
/// Records stored before this shape keep their hash-only keys (rewriting 10 M keys would rewrite the whole index and
/// every table page). The migration that introduced it wrote the latest source time stored by then into
/// <see cref="HorizonTable"/>; a record from that time or earlier may be stored under its <see cref="EventRecord.LegacyDedupeKey"/>,
/// so the stores look that key up first and, when it is there, treat the record as that one's duplicate. A read of a
/// page that stays clean; newer records, and every record of a store created with this shape, skip it.
/// </para>
/// </summary>
public static class DedupeKeys
{
    /// <summary>One row: the latest source time (Unix ms) of the records stored with hash-only keys; NULL when there were none.</summary>
    public const string HorizonTable = "dedupe_legacy_horizon";

    /// <summary>The key of an item whose source gave <paramref name="sourceTime"/>, from its content hash.</summary>
    public static string Timed(DateTimeOffset sourceTime, string hash) =>
        string.Create(12 + hash.Length, (sourceTime.ToUnixTimeMilliseconds(), hash), static (span, state) =>
        {
            state.Item1.TryFormat(span, out _, "x12", System.Globalization.CultureInfo.InvariantCulture);
            state.hash.AsSpan().CopyTo(span[12..]);
        });

    /// <summary>Whether a record with this source time could have been stored under its legacy key, given the store's horizon.</summary>
    public static bool MayBeStoredUnderLegacyKey(EventRecord record, long? horizon) =>
        record.LegacyDedupeKey is not null && horizon is { } latest && record.OccurredAt.ToUnixTimeMilliseconds() <= latest;
}
