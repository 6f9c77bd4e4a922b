using OpsConsole.Features.Records;

namespace OpsConsole.Data.Notices;

/// <summary>The notice a record write gives, the same for every provider's store.</summary>
public static class RecordNotices
{
    /// <summary>
    /// The new records (their id range, themselves for this node) and the instances of new or updated ones; null when the
    /// write changed nothing (all duplicates).
    /// </summary>
    public static CommitNotice? Written(IReadOnlyList<EventRecord> records, IReadOnlyList<StoredRecord> stored)
    {
        var added = new List<EventRecord>();
        var touched = new List<string>();
        for (var i = 0; i < records.Count; i++)
        {
            if (!stored[i].Duplicate) added.Add(records[i]);
            else if (!stored[i].Updated) continue;
            touched.Add(records[i].InstanceKey);
        }
        if (touched.Count == 0) return null;
        var from = added.Count == 0 ? 0 : added.Min(r => r.Id);
        var highWater = added.Count == 0 ? 0 : added.Max(r => r.Id);
        return CommitNotice.Of(CommitKinds.Records, touched, from, highWater) with { Records = added };
    }
}
