using Bunit;
using Microsoft.Extensions.DependencyInjection;
using OpsConsole.Features.Instances.Timeline;
using static OpsConsole.Tests.Features.Instances.Records;

namespace OpsConsole.Tests.Features.Instances;

/// <summary>Repeated identical records fold into one line with a count; long quiet spells are marked.</summary>
public sealed class TimelineCollapseTests : BunitTest
{
    public TimelineCollapseTests() =>
        Services.AddSingleton<TimeProvider>(new ManualClock(DateTimeOffset.Parse("2026-11-24T08:00:00Z", System.Globalization.CultureInfo.InvariantCulture)));

    private static OpsConsole.Features.Records.RecordDto BackOff(int minute) =>
        Dto("restart.crash-loop", minute, source: "kubernetes", kind: "container", reason: "CrashLoopBackOff", message: "back-off restarting failed container");

    [Fact]
    public void Runs_of_identical_records_are_one_entry_with_a_count_and_since()
    {
        var records = Enumerable.Range(0, 36).Select(BackOff).Append(Dto("none", 40, source: "kubernetes", kind: "container", state: "running")).ToList();

        var group = Assert.Single(TimelineGroups.For(records, []));

        Assert.Equal(2, group.Entries.Count);
        Assert.Equal(36, group.Entries[1].Repeats);
        Assert.Equal(records[0].OccurredAt, group.Entries[1].Since);
        Assert.Equal(records[35].Id, group.Entries[1].Record!.Id);
    }

    [Fact]
    public void The_timeline_shows_exact_times_the_count_and_gaps()
    {
        var records = new[] { BackOff(0), BackOff(1), BackOff(2), Dto("exit.oom-killed", 180, source: "kubernetes", kind: "container", exitCode: 137) };

        var timeline = Render<IncidentTimeline>(p => p.Add(t => t.Groups, TimelineGroups.For(records, [])));

        var entries = timeline.FindAll(".timeline-entry");
        Assert.Equal(2, entries.Count);
        Assert.Equal("3", entries[1].GetAttribute("data-repeats"));
        Assert.Contains("×3 since", entries[1].QuerySelector(".timeline-repeats")!.TextContent);
        Assert.Matches(@"^[A-Z][a-z]{2} \d{1,2} \d\d:\d\d:\d\d$", entries[0].QuerySelector(".timeline-exact")!.TextContent);
        Assert.Contains("2 h 58 min with no record", timeline.Find(".timeline-gap").TextContent);
    }
}
