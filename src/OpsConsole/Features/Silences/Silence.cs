using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using OpsConsole.Features.Instances;

namespace OpsConsole.Features.Silences;

/// <summary>
/// A mute of every failing instance that matches all of its matchers (category, family, source, location, an instance-key
/// pattern with <c>*</c>), from its start until <see cref="EndsAt"/> or, with <see cref="UntilRecovered"/>, until none of
/// them fails. Who made it and why are kept; an ended silence stays listed with how it ended.
/// </summary>
public sealed class Silence
{
    public int Id { get; set; }
    public string? Category { get; set; }
    public string? Family { get; set; }
    public string? Source { get; set; }
    public string? Location { get; set; }

    /// <summary>An instance-key pattern where <c>*</c> stands for anything: <c>k8s/prod/shop/*</c>.</summary>
    public string? InstancePattern { get; set; }

    public required string Reason { get; set; }
    public required string CreatedBy { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? EndsAt { get; set; }
    public bool UntilRecovered { get; set; }

    /// <summary>When it stopped muting (its end time passed, its instances recovered, or someone ended it); null while active.</summary>
    public DateTimeOffset? EndedAt { get; set; }
    public string? EndedBy { get; set; }

    public bool HasMatcher => !string.IsNullOrWhiteSpace(Category) || !string.IsNullOrWhiteSpace(Family) || !string.IsNullOrWhiteSpace(Source)
                              || !string.IsNullOrWhiteSpace(Location) || !string.IsNullOrWhiteSpace(InstancePattern);

    /// <summary>The instances this silence matches (failing or not).</summary>
    public IQueryable<InstanceState> Match(IQueryable<InstanceState> states)
    {
        if (Category is { Length: > 0 } category) states = states.Where(s => s.Category == category);
        if (Family is { Length: > 0 } family)
        {
            var prefix = family + ".";
            states = states.Where(s => s.Category == family || s.Category.StartsWith(prefix));
        }
        if (Source is { Length: > 0 } source) states = states.Where(s => s.Source == source);
        if (Location is { Length: > 0 } location) states = states.Where(s => s.Location == location);
        if (InstancePattern is { Length: > 0 } pattern)
        {
            // Case-insensitive on both stores (SQLite's LIKE ignores ASCII case, PostgreSQL's does not).
            var like = pattern.ToLowerInvariant().Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_").Replace('*', '%');
            states = states.Where(s => EF.Functions.Like(s.InstanceKey.ToLower(), like, "\\"));
        }
        return states;
    }

    public string Describe() => string.Join(", ", new[]
    {
        Category is { Length: > 0 } ? $"category={Category}" : null,
        Family is { Length: > 0 } ? $"family={Family}" : null,
        Source is { Length: > 0 } ? $"source={Source}" : null,
        Location is { Length: > 0 } ? $"location={Location}" : null,
        InstancePattern is { Length: > 0 } ? $"instance={InstancePattern}" : null,
    }.OfType<string>());
}

internal sealed class SilenceConfiguration : IEntityTypeConfiguration<Silence>
{
    public void Configure(EntityTypeBuilder<Silence> builder)
    {
        builder.ToTable("silences");
        builder.Property(s => s.Reason).HasMaxLength(2000);
        builder.Property(s => s.CreatedBy).HasMaxLength(256);
        builder.Property(s => s.EndedBy).HasMaxLength(256);
        builder.Property(s => s.InstancePattern).HasMaxLength(512);
        builder.HasIndex(s => s.EndedAt);
    }
}
