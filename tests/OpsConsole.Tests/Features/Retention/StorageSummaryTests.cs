using Bunit;
using Microsoft.Extensions.DependencyInjection;
using OpsConsole.Data;
using OpsConsole.Features.Retention;

namespace OpsConsole.Tests.Features.Retention;

public sealed class StorageSummaryTests : BunitTest
{
    private static readonly DateTimeOffset Now = DateTimeOffset.Parse("2026-03-02T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture);

    public StorageSummaryTests() => Services.AddSingleton<TimeProvider>(new ManualClock(Now));

    [Fact]
    public void Shows_the_size_on_disk_the_records_and_the_retention_setting()
    {
        var summary = Render<StorageSummary>(p => p
            .Add(s => s.Figures, new StorageFigures(1_234_567, Now.AddDays(-30), 3L * 1024 * 1024 * 1024 + 512L * 1024 * 1024))
            .Add(s => s.Retention, new RetentionOptions { MaxAge = TimeSpan.FromDays(30), MaxRecords = 2_000_000 }));

        Assert.Equal("3.5 GB", summary.Find(".database-size").TextContent);
        Assert.Equal("1,234,567", summary.Find(".records-stored").TextContent);
        Assert.Equal("30 days, at most 2,000,000 records", summary.Find(".retention-setting").TextContent);
        Assert.Contains("oldest received", summary.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public void An_empty_store_names_no_oldest_record()
    {
        var summary = Render<StorageSummary>(p => p
            .Add(s => s.Figures, new StorageFigures(0, null, 40_960))
            .Add(s => s.Retention, new RetentionOptions { MaxAge = TimeSpan.FromHours(36) }));

        Assert.Equal("40 KB", summary.Find(".database-size").TextContent);
        Assert.Equal("36 hours", summary.Find(".retention-setting").TextContent);
        Assert.DoesNotContain("oldest", summary.Markup, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, "0 bytes")]
    [InlineData(1023, "1023 bytes")]
    [InlineData(1536, "1.5 KB")]
    [InlineData(52_428_800, "50 MB")]
    public void Sizes_read_in_the_largest_unit(long bytes, string text) => Assert.Equal(text, StorageSummary.Bytes(bytes));
}
