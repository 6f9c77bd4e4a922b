using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace OpsConsole.Features.SourceHealth;

/// <summary>
/// When one sender (a source and where it reports from) was last seen and how much it sent per minute in the last
/// hour: what <see cref="SourceActivity"/> remembers across restarts, one row per sender, so start-up reads these rows
/// rather than every instance's state or the records of the last hour.
/// </summary>
public sealed class SourceOrigin
{
    public required string Source { get; set; }
    public required string Origin { get; set; }
    public required string Kind { get; set; }
    public DateTimeOffset LastSeenAt { get; set; }

    /// <summary>Records per minute when last saved, as "unixMinute:count" pairs joined by commas (see <see cref="MinuteCounts"/>); null when none.</summary>
    public string? LastHour { get; set; }

    /// <summary>
    /// This sighting merged into the <paramref name="stored"/> row (null: none yet): the later sighting's time and kind,
    /// and each minute after <paramref name="hourAgo"/> with the larger count (every node counts every node's records, so
    /// the larger is the one that saw more of them).
    /// </summary>
    public SourceOrigin MergedInto(SourceOrigin? stored, long hourAgo) => stored is null ? this : new SourceOrigin
    {
        Source = Source, Origin = Origin,
        Kind = LastSeenAt > stored.LastSeenAt ? Kind : stored.Kind,
        LastSeenAt = LastSeenAt > stored.LastSeenAt ? LastSeenAt : stored.LastSeenAt,
        LastHour = MinuteCounts.Larger(stored.LastHour, LastHour, after: hourAgo),
    };
}

/// <summary>The text form of <see cref="SourceOrigin.LastHour"/>: at most an hour of minutes, so a row stays small.</summary>
public static class MinuteCounts
{
    public static string? Write(IEnumerable<KeyValuePair<long, int>> perMinute)
    {
        var text = string.Join(',', perMinute.Select(m => string.Create(CultureInfo.InvariantCulture, $"{m.Key}:{m.Value}")));
        return text.Length == 0 ? null : text;
    }

    /// <summary>Each minute after <paramref name="after"/> with the larger of its two counts.</summary>
    public static string? Larger(string? stored, string? seen, long after) =>
        Write(Read(stored).Concat(Read(seen)).Where(m => m.Key > after)
            .GroupBy(m => m.Key, m => m.Value).OrderBy(g => g.Key).Select(g => KeyValuePair.Create(g.Key, g.Max())));

    /// <summary>The pairs in <paramref name="text"/>; a pair that does not parse is skipped (the figure is a display, start-up must not fail on it).</summary>
    public static IEnumerable<KeyValuePair<long, int>> Read(string? text)
    {
        foreach (var pair in (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var colon = pair.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && long.TryParse(pair.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out var minute)
                && int.TryParse(pair.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var count))
                yield return new(minute, count);
        }
    }
}

internal sealed class SourceOriginConfiguration : IEntityTypeConfiguration<SourceOrigin>
{
    public void Configure(EntityTypeBuilder<SourceOrigin> builder)
    {
        builder.ToTable("source_origins");
        builder.HasKey(o => new { o.Source, o.Origin });
    }
}
