using OpsConsole.Features.Instances.Timeline;
using OpsConsole.Sources.Aos;
using static OpsConsole.Tests.Features.Instances.Records;

namespace OpsConsole.Tests.Sources.Aos;

/// <summary>The Aos deployment pipeline strip: where the newest attempt got to and where it failed.</summary>
public sealed class DeploymentStagesTests
{
    private static StepStatus[] Statuses(IReadOnlyList<PipelineStep> steps) => steps.Select(s => s.Status).ToArray();

    [Fact]
    public void Aos_checksum_failure_stops_the_strip_at_verify()
    {
        var steps = DeploymentStages.For(NewestFirst(
            Dto("none", 0, state: "activating"),
            Dto("deploy.verify.checksum", 2, state: "failed")));

        Assert.Equal([StepStatus.Done, StepStatus.Done, StepStatus.Failed, StepStatus.NotReached, StepStatus.NotReached, StepStatus.NotReached], Statuses(steps));
        Assert.Equal("deploy.verify.checksum", steps[2].Detail);
    }

    [Fact]
    public void Aos_crash_after_start_fails_the_running_stage_and_a_later_success_clears_it()
    {
        var crashed = DeploymentStages.For(NewestFirst(Dto("none", 0, state: "active"), Dto("exit.segfault", 1, state: "failed", exitCode: 139)));
        var recovered = DeploymentStages.For(NewestFirst(Dto("exit.segfault", 1, state: "failed"), Dto("none", 2, state: "active")));

        Assert.Equal(StepStatus.Failed, crashed[^1].Status);
        Assert.All(recovered, s => Assert.Equal(StepStatus.Done, s.Status));
    }

    [Fact]
    public void Aos_still_activating_shows_the_stage_it_reached_as_current()
    {
        var steps = DeploymentStages.For(NewestFirst(Dto("none", 0, state: "activating"), Dto("unit.instance-log", 1, stage: "download")));

        Assert.Equal([StepStatus.Done, StepStatus.Current, StepStatus.NotReached, StepStatus.NotReached, StepStatus.NotReached, StepStatus.NotReached], Statuses(steps));
    }
}
