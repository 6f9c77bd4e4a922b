using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace OpsConsole.Features.SourceHealth;

/// <summary>
/// When one sender (a source and where it reports from) was last seen: what <see cref="SourceActivity"/> remembers
/// across restarts, one row per sender, so start-up reads these rows rather than every instance's state.
/// </summary>
public sealed class SourceOrigin
{
    public required string Source { get; set; }
    public required string Origin { get; set; }
    public required string Kind { get; set; }
    public DateTimeOffset LastSeenAt { get; set; }
}

internal sealed class SourceOriginConfiguration : IEntityTypeConfiguration<SourceOrigin>
{
    public void Configure(EntityTypeBuilder<SourceOrigin> builder)
    {
        builder.ToTable("source_origins");
        builder.HasKey(o => new { o.Source, o.Origin });
    }
}
