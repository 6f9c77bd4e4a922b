using OpsConsole.Features.Instances.Timeline;
using OpsConsole.Sources.Maas;
using static OpsConsole.Tests.Features.Instances.Records;

namespace OpsConsole.Tests.Sources.Maas;

/// <summary>A MAAS machine's expected boot steps and the first one that never happened.</summary>
public sealed class BootSequenceTests
{
    private static StepStatus[] Statuses(IReadOnlyList<PipelineStep> steps) => steps.Select(s => s.Status).ToArray();

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
}
