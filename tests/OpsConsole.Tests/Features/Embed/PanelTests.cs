using Bunit;
using Microsoft.Extensions.DependencyInjection;
using OpsConsole.Features.Embed;
using OpsConsole.Features.Instances;

namespace OpsConsole.Tests.Features.Embed;

/// <summary>bUnit: panels rendered over a real console (SQLite file), updating in place when records arrive.</summary>
public sealed class PanelTests : BunitTest, IClassFixture<OpsConsoleFactory>
{
    private readonly OpsConsoleFactory _factory;

    public PanelTests(OpsConsoleFactory factory)
    {
        _factory = factory;
        Services.AddSingleton(factory.Services.GetRequiredService<PanelData>());
        Services.AddSingleton(TimeProvider.System);
    }

    private Task IngestAsync(string file, string query) =>
        _factory.CreateApiClient().PostOkAsync($"/api/v1/{Samples.Labels[file].Endpoint}{query}", Samples.Read(file), Samples.Labels[file].ContentType);

    [Fact]
    public async Task The_failing_panel_lists_failing_instances_and_updates_in_place()
    {
        await IngestAsync("k8s/pod-pending-unschedulable.json", "?cluster=panel-a");
        var panel = Render<FailingPanel>(p => p.Add(f => f.View, new FailingView(Search: "panel-")).Add(f => f.Limit, 10));

        panel.WaitForAssertion(() => Assert.Single(panel.FindAll("tr[data-instance^='k8s/panel-a/']")));
        var before = panel.Find(".panel-count").TextContent;

        await IngestAsync("k8s/pod-createcontainerconfigerror.json", "?cluster=panel-b");

        panel.WaitForAssertion(() => Assert.NotEmpty(panel.FindAll("tr[data-instance^='k8s/panel-b/']")), TimeSpan.FromSeconds(5));
        Assert.NotEqual(before, panel.Find(".panel-count").TextContent);
    }

    [Fact]
    public async Task The_failing_panel_respects_its_filters_limit_and_title()
    {
        await IngestAsync("docker/event-die-exit1-app-error-api152.json", "?host=limit-1");
        await IngestAsync("docker/event-die-exit137-sigkill-no-oom.json", "?host=limit-1");
        var panel = Render<FailingPanel>(p => p.Add(f => f.View, new FailingView(Family: "exit", Search: "limit-1")).Add(f => f.Limit, 1)
            .Add(f => f.Title, "Exits on limit-1"));

        panel.WaitForAssertion(() => Assert.Single(panel.FindAll("tbody tr")));
        Assert.StartsWith("exit.", panel.Find(".panel-category").TextContent);
        Assert.Contains("and 1 more", panel.Find(".panel-more").TextContent);
        Assert.Contains("Exits on limit-1", panel.Find(".panel-title").TextContent);
    }

    [Fact]
    public async Task The_summary_panel_counts_by_family_and_severity_with_a_24_hour_trend()
    {
        await IngestAsync("nova/server-fault-no-valid-host.json", "?cloud=summary");
        var panel = Render<SummaryPanel>(p => p.Add(s => s.View, new FailingView(Family: "vm")));

        panel.WaitForAssertion(() => Assert.NotNull(panel.Find("tr[data-family='vm']")));
        Assert.Equal(24, panel.FindAll(".panel-trend rect").Count);
        Assert.Contains(panel.FindAll(".panel-trend rect"), r => r.GetAttribute("data-failures") != "0");
        Assert.NotEqual("·", panel.Find("tr[data-family='vm'] td.severity-error").TextContent.Trim());
    }

    [Fact]
    public async Task The_instance_panel_shows_the_state_and_newest_records()
    {
        await IngestAsync("docker/event-health-status-unhealthy.json", "?host=inst-panel");
        var key = "docker/inst-panel/payments-api";
        var panel = Render<InstancePanel>(p => p.Add(i => i.Key, key));

        panel.WaitForAssertion(() => Assert.Contains("container.probe-failed", panel.Find(".panel-state").TextContent));
        Assert.NotEmpty(panel.FindAll("tr[data-record]"));
    }
}
