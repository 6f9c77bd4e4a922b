using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace OpsConsole.Features.Records;

/// <summary>
/// One fact a source stated (a container's last termination, a Nova fault, a MAAS event…),
/// normalised to the fields the classifier and the console need, with the original item kept.
/// </summary>
public sealed class EventRecord
{
    public long Id { get; set; }

    /// <summary><c>unit</c>, <c>container</c> or <c>vm</c>: which ingestion endpoint the record came through.</summary>
    public required string Kind { get; set; }

    /// <summary>The emitting system: aos, kubernetes, container-apps, docker, nova, maas, or a name given in the simple shape.</summary>
    public required string Source { get; set; }

    /// <summary>The payload shape it was read from, e.g. <c>k8s-pod</c> or <c>aos-unitstatus-v7</c>.</summary>
    public required string Format { get; set; }

    /// <summary>What kind of fact inside that shape: <c>instance</c>, <c>waiting</c>, <c>terminated</c>, <c>event</c>, <c>fault</c>…</summary>
    public required string Entry { get; set; }

    public required string InstanceKey { get; set; }
    public required string InstanceName { get; set; }

    /// <summary>
    /// The named parts of the instance key as its source names them, stored as a JSON object
    /// (<c>{"cloud":"east","server":"9e2c"}</c>); null on rows from older versions. See <see cref="InstanceIdentity"/>.
    /// </summary>
    public string? Identity { get; set; }

    /// <summary>The same parts in memory: set by the parser, read back from <see cref="Identity"/> otherwise. Not a column.</summary>
    public IReadOnlyList<IdentityPart>? Parts { get; set; }

    /// <summary>Where it ran: node, host, replica or hypervisor.</summary>
    public string? Location { get; set; }

    public string? RequestId { get; set; }
    public string? State { get; set; }
    public int? ExitCode { get; set; }
    public int? RestartCount { get; set; }
    public string? Signal { get; set; }
    public string? Reason { get; set; }
    public string? Message { get; set; }

    /// <summary>A source error code: Aos error name (eTimeout), Nova exception class, ACA ErrorCode…</summary>
    public string? ErrorCode { get; set; }

    public int? HttpCode { get; set; }
    public string? Stage { get; set; }

    public DateTimeOffset OccurredAt { get; set; }
    public DateTimeOffset ReceivedAt { get; set; }
    public DateTimeOffset LastSeenAt { get; set; }

    /// <summary>The source's own time when it could not be used (too far ahead of the received time, or from a clock never set); null otherwise.</summary>
    public DateTimeOffset? SourceTimeUntrusted { get; set; }

    /// <summary>How often the source says the fact happened (Kubernetes Event count, ACA Count).</summary>
    public int OccurrenceCount { get; set; } = 1;

    public string Category { get; set; } = "unknown";
    public string Severity { get; set; } = "warning";
    public string RuleId { get; set; } = "";
    public string Evidence { get; set; } = "";
    public string RulesetVersion { get; set; } = "";
    public bool IsFailure { get; set; }

    /// <summary>Correlation facts found across records before classification (e.g. <c>oom-evidence</c>), space separated.</summary>
    public string? Hints { get; set; }

    /// <summary>For a derived (pattern) record, the ids of the records it was derived from, comma separated.</summary>
    public string? DerivedFrom { get; set; }

    /// <summary>
    /// Hash of source identity, timestamp and content, after the source's time when the item has one
    /// (<see cref="DedupeKeys.Timed"/>); the same fact posted twice is stored once.
    /// </summary>
    public required string DedupeKey { get; set; }

    /// <summary>
    /// For a key that starts with the source's time: the same fact's key as stored before keys did (the hash alone), which
    /// a record re-sent from that time may still be stored under (see <see cref="DedupeKeys"/>). Not stored.
    /// </summary>
    public string? LegacyDedupeKey { get; set; }

    /// <summary>Names of fields that were cut to the configured length, comma separated.</summary>
    public string? Truncated { get; set; }

    public required string RawJson { get; set; }

    /// <summary>The original item, or null when the stored copy is not JSON (cut beyond repair); the caller disposes it.</summary>
    public System.Text.Json.JsonDocument? ParseRaw()
    {
        try
        {
            return System.Text.Json.JsonDocument.Parse(RawJson);
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }
}

internal sealed class EventRecordConfiguration : IEntityTypeConfiguration<EventRecord>
{
    public void Configure(EntityTypeBuilder<EventRecord> builder)
    {
        builder.ToTable("records");
        builder.HasKey(r => r.Id);
        builder.Ignore(r => r.Parts);
        builder.Ignore(r => r.LegacyDedupeKey);
        builder.HasIndex(r => r.DedupeKey).IsUnique();
        // The instance timeline and ?instance= pages (both newest first by the source's time, then id).
        builder.HasIndex(r => new { r.InstanceKey, r.OccurredAt });
        builder.HasIndex(r => new { r.Category, r.Id });
        builder.HasIndex(r => new { r.Category, r.OccurredAt });
        builder.HasIndex(r => r.OccurredAt);
        // Start-up priming reads the last hour or day by arrival; arrival order makes this index append-only.
        builder.HasIndex(r => r.ReceivedAt);
        // The reclassifier finds records of other rule versions by seeking, never by counting; new rows share one version, so appends.
        builder.HasIndex(r => new { r.RulesetVersion, r.Id });
    }
}
