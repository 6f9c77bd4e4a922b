using OpsConsole.Features.Instances.Timeline;
using OpsConsole.Features.Runbooks;
using static OpsConsole.Tests.Features.Instances.Records;

namespace OpsConsole.Tests.Features.Instances;

/// <summary>The grouped timeline: by request id, or by the attempts a source defines.</summary>
public sealed class TimelineViewTests
{
    [Fact]
    public void Timeline_groups_by_request_id_newest_first_with_ticks_in_their_request()
    {
        var first = Dto("vm.compute.network", 1, source: "nova", kind: "vm", requestId: "req-a");
        var second = Dto("vm.api.quota", 10, source: "nova", kind: "vm", requestId: "req-b");
        var tick = new RunbookStepMark { InstanceKey = "k", RecordId = second.Id, Category = second.Category, StepId = "s", StepText = "Check quota", Done = true, At = second.OccurredAt.AddMinutes(1) };

        var groups = TimelineGroups.For(NewestFirst(first, second), [tick]);

        Assert.Equal(["Request req-b", "Request req-a"], groups.Select(g => g.Title));
        Assert.Same(tick, groups[0].Entries[0].Step);
        Assert.Same(second, groups[0].Entries[1].Record);
    }

    [Fact]
    public void Timeline_starts_a_new_aos_attempt_each_time_the_instance_activates_again()
    {
        var groups = TimelineGroups.For(NewestFirst(
            Dto("none", 0, state: "activating"), Dto("deploy.download.http-404", 1, state: "failed"),
            Dto("none", 10, state: "activating"), Dto("none", 12, state: "active")), []);

        Assert.Equal(["Deployment attempt 2", "Deployment attempt 1"], groups.Select(g => g.Title));
        Assert.Equal(2, groups[0].Entries.Count);
        Assert.Equal("active", groups[0].Entries[0].Record!.State);
    }
}
