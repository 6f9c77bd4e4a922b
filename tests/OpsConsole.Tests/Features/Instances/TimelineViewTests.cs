using OpsConsole.Features.Instances.Timeline;
using OpsConsole.Features.Runbooks;
using static OpsConsole.Tests.Features.Instances.Records;

namespace OpsConsole.Tests.Features.Instances;

/// <summary>Where an instance failed, per kind: Aos stages, Nova requests, MAAS boot steps, and the grouped timeline.</summary>
public sealed class TimelineViewTests
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

    [Fact]
    public void Nova_request_trace_marks_the_failed_service_per_request()
    {
        var traces = RequestTrace.For(NewestFirst(
            Dto("none", 0, source: "nova", kind: "vm", stage: "scheduler", requestId: "req-1", state: "Success", location: "ctl-01"),
            Dto("vm.compute.network", 1, source: "nova", kind: "vm", stage: "compute", requestId: "req-1", state: "Error", location: "cmp-7"),
            Dto("vm.api.quota", 5, source: "nova", kind: "vm", requestId: "req-2")));

        Assert.Equal(["req-2", "req-1"], traces.Select(t => t.RequestId));
        Assert.Equal([StepStatus.Failed, StepStatus.NotReached, StepStatus.NotReached, StepStatus.NotReached], Statuses(traces[0].Steps));
        Assert.Equal([StepStatus.Done, StepStatus.Done, StepStatus.Failed, StepStatus.NotReached], Statuses(traces[1].Steps));
        Assert.Equal("ctl-01", traces[1].Steps[1].Detail);
        Assert.Equal("vm.compute.network", traces[1].Steps[2].Detail);
    }

    [Fact]
    public void Nova_fault_without_request_id_still_shows_its_stage()
    {
        var traces = RequestTrace.For(NewestFirst(Dto("vm.schedule.no-valid-host", 0, source: "nova", kind: "vm")));

        Assert.Equal(RequestTrace.NoRequestId, Assert.Single(traces).RequestId);
        Assert.Equal(StepStatus.Failed, traces[0].Steps[1].Status);
    }

    [Fact]
    public void Maas_commissioning_that_went_quiet_after_the_ephemeral_boot_shows_the_report_back_missing()
    {
        var (operation, steps) = BootSequence.For(NewestFirst(
            Dto("none", 0, source: "maas", kind: "vm", reason: "Commissioning"),
            Dto("none", 1, source: "maas", kind: "vm", reason: "Performing PXE boot"),
            Dto("none", 2, source: "maas", kind: "vm", reason: "TFTP Request"),
            Dto("none", 3, source: "maas", kind: "vm", reason: "Loading ephemeral"),
            Dto("node.commission.controller-unreachable", 33, source: "maas", kind: "vm", reason: "Marking node failed",
                message: "Node operation 'Commissioning' timed out after 30 minutes.")));

        Assert.Equal("Commissioning", operation);
        var byName = steps.ToDictionary(s => s.Name);
        Assert.Equal(StepStatus.Done, byName["Power on"].Status); // implied by the PXE boot after it
        Assert.Equal(StepStatus.Done, byName["Ephemeral image loaded"].Status);
        var gap = byName["Reported back to the region (cloud-init)"];
        Assert.Equal(StepStatus.Missing, gap.Status);
        Assert.Contains("node.commission.controller-unreachable", gap.Detail);
        Assert.Equal(StepStatus.NotReached, byName["Ready"].Status);
    }

    [Fact]
    public void Maas_deployment_uses_the_deployment_steps()
    {
        var (operation, steps) = BootSequence.For(NewestFirst(
            Dto("none", 0, source: "maas", kind: "vm", reason: "Installing OS"),
            Dto("node.deploy.failed", 9, source: "maas", kind: "vm", reason: "Node installation failure")));

        Assert.Equal("Deployment", operation);
        Assert.Equal(StepStatus.Missing, steps.Single(s => s.Name.StartsWith("Installer reported", StringComparison.Ordinal)).Status);
    }

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

    [Theory]
    [InlineData(137, "SIGKILL")]
    [InlineData(127, "not found")]
    [InlineData(143, "SIGTERM")]
    [InlineData(130, "signal 2")]
    [InlineData(42, "application-defined")]
    public void Exit_codes_say_what_they_mean(int code, string meaning) => Assert.Contains(meaning, ExitCodes.Meaning(code));
}
