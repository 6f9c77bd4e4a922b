using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using OpsConsole.Features.Records;

namespace OpsConsole.Features.Instances;

/// <summary>
/// The current state of one instance (unit instance, container, server, machine), kept up to date
/// on every write so the failing list never has to scan the records table.
/// </summary>
public sealed class InstanceState
{
    public required string InstanceKey { get; set; }
    public required string Kind { get; set; }
    public required string Source { get; set; }
    public required string DisplayName { get; set; }
    public string? Location { get; set; }

    /// <summary>The named parts of the key as stored at parse time (see <see cref="InstanceIdentity"/>); null on rows from older versions.</summary>
    public string? Identity { get; set; }

    /// <summary>Category of the instance's worst active condition: the newest record unless a milder failure followed a worse one.</summary>
    public required string Category { get; set; }
    public required string Severity { get; set; }
    public bool IsFailing { get; set; }
    public string? LastMessage { get; set; }
    public long LastRecordId { get; set; }
    public DateTimeOffset LastSeenAt { get; set; }

    public int FailureCount { get; set; }
    public DateTimeOffset? FirstFailureAt { get; set; }
    public DateTimeOffset? LastFailureAt { get; set; }

    public InstanceIdentity ToIdentity() =>
        new(InstanceKey, Kind, Source, DisplayName, Location, InstanceIdentity.Read(Identity, InstanceKey));
}

internal sealed class InstanceStateConfiguration : IEntityTypeConfiguration<InstanceState>
{
    private const string FailingFilterSql = "\"IsFailing\"";

    public void Configure(EntityTypeBuilder<InstanceState> builder)
    {
        builder.ToTable("instance_states");
        builder.HasKey(s => s.InstanceKey);
        // Partial indexes over failing rows only: the list and its counts read O(page), not O(instances). The filter is
        // the bare column, exactly the predicate EF writes for `s.IsFailing`, so SQLite and PostgreSQL both match it.
        builder.HasIndex(s => s.LastFailureAt).HasFilter(FailingFilterSql).HasDatabaseName("IX_instance_states_failing_LastFailureAt");
        builder.HasIndex(s => new { s.Category, s.Severity }).HasFilter(FailingFilterSql).HasDatabaseName("IX_instance_states_failing_Category");
    }
}
