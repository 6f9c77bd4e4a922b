using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace OpsConsole.Features.Records;

/// <summary>
/// Stored records and failing instances per category, kept in the same transaction as every insert, reclassification
/// and state rebuild, so <c>GET /api/v1/categories</c> and the failing list's total read one row per category instead
/// of counting history or every failing instance.
/// </summary>
public sealed class CategoryCount
{
    public required string Category { get; set; }
    public long Records { get; set; }
    public long FailingInstances { get; set; }
}

/// <summary>Failures received per hour (unix hour), kept like <see cref="CategoryCount"/>; primes the summary panel's trend.</summary>
public sealed class FailureHour
{
    public long Hour { get; set; }
    public long Failures { get; set; }
}

internal sealed class CategoryCountConfiguration : IEntityTypeConfiguration<CategoryCount>
{
    public void Configure(EntityTypeBuilder<CategoryCount> builder)
    {
        builder.ToTable("category_counts");
        builder.HasKey(c => c.Category);
    }
}

internal sealed class FailureHourConfiguration : IEntityTypeConfiguration<FailureHour>
{
    public void Configure(EntityTypeBuilder<FailureHour> builder)
    {
        builder.ToTable("failure_hours");
        builder.HasKey(h => h.Hour);
        builder.Property(h => h.Hour).ValueGeneratedNever();
    }
}
