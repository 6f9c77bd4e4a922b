using OpsConsole.Features.Instances.Timeline;
using OpsConsole.Sources.Nova;
using static OpsConsole.Tests.Features.Instances.Records;

namespace OpsConsole.Tests.Sources.Nova;

/// <summary>Nova requests traced across API → scheduler → compute → finalize.</summary>
public sealed class RequestTraceTests
{
    private static StepStatus[] Statuses(IReadOnlyList<PipelineStep> steps) => steps.Select(s => s.Status).ToArray();

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
}
