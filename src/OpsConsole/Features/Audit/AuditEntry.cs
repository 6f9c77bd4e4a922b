using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace OpsConsole.Features.Audit;

/// <summary>
/// One write to the console: who did what to which thing, when and from where. Rows are only ever added; the
/// table refuses updates and deletes (triggers in the migration).
/// </summary>
public sealed class AuditEntry
{
    public long Id { get; set; }
    public DateTimeOffset At { get; set; }
    public required string Actor { get; set; }

    /// <summary>What happened, as a dotted verb: <c>signin</c>, <c>instance.acknowledge</c>, <c>key.revoke</c>, …</summary>
    public required string Action { get; set; }

    /// <summary>What it happened to: an instance key, a user, a key or token name; null when nothing in particular.</summary>
    public string? Target { get; set; }

    public string? Detail { get; set; }

    /// <summary>The client address the request came from.</summary>
    public string? Address { get; set; }
}

internal sealed class AuditEntryConfiguration : IEntityTypeConfiguration<AuditEntry>
{
    public void Configure(EntityTypeBuilder<AuditEntry> builder)
    {
        builder.ToTable("audit_log");
        builder.Property(e => e.Actor).HasMaxLength(256);
        builder.Property(e => e.Action).HasMaxLength(64);
        builder.Property(e => e.Target).HasMaxLength(512);
        builder.Property(e => e.Detail).HasMaxLength(2000);
        builder.Property(e => e.Address).HasMaxLength(64);
        builder.HasIndex(e => e.At);
        builder.HasIndex(e => new { e.Actor, e.At });
    }
}
