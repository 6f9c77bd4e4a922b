using System.Net.Http.Json;
using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OpsConsole.Data;
using OpsConsole.Features.Embed;
using OpsConsole.Features.Instances;
using OpsConsole.Features.Records;

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

    [Fact]
    public async Task An_acknowledgement_made_elsewhere_reaches_the_open_panel()
    {
        await IngestAsync("docker/event-die-exit1-app-error-api152.json", "?host=ack-live");
        var panel = Render<FailingPanel>(p => p.Add(f => f.View, new FailingView(Search: "ack-live")).Add(f => f.Limit, 10));
        panel.WaitForAssertion(() => Assert.Single(panel.FindAll("tr[data-instance^='docker/ack-live/']")));
        var key = panel.Find("tr[data-instance^='docker/ack-live/']").GetAttribute("data-instance")!;
        Assert.DoesNotContain("panel-acknowledged", panel.Find("tr[data-instance^='docker/ack-live/']").ClassName);

        var operatorClient = await _factory.SignedInClientAsync("Operator");
        (await operatorClient.PutAsJsonAsync($"/api/v1/instances/{Uri.EscapeDataString(key)}/acknowledgement", new { status = "acknowledged" }))
            .EnsureSuccessStatusCode();

        // No new record arrives: only the acknowledgement's own notice can refresh the panel before its 30 s tick.
        panel.WaitForAssertion(() => Assert.Contains("panel-acknowledged", panel.Find("tr[data-instance^='docker/ack-live/']").ClassName),
            TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task A_reclassification_reaches_the_open_panel()
    {
        await IngestAsync("docker/event-die-exit1-app-error-api152.json", "?host=reclassified-live");
        var panel = Render<FailingPanel>(p => p.Add(f => f.View, new FailingView(Search: "reclassified-live")).Add(f => f.Limit, 10));
        panel.WaitForAssertion(() => Assert.Equal("exit.app-error", panel.Find(".panel-category").TextContent.Trim()));

        List<EventRecord> records;
        await using (var db = await _factory.Services.GetRequiredService<IDbContextFactory<OpsDbContext>>().CreateDbContextAsync())
            records = await db.Records.AsNoTracking().Where(r => r.InstanceKey.StartsWith("docker/reclassified-live/")).ToListAsync();
        foreach (var record in records) record.Category = "exit.oom-killed";
        var store = _factory.Services.GetRequiredService<IRecordStore>();
        var changed = await store.UpdateClassificationAsync(records, CancellationToken.None);
        await store.RebuildInstanceStatesAsync(changed, CancellationToken.None);

        panel.WaitForAssertion(() => Assert.Equal("exit.oom-killed", panel.Find(".panel-category").TextContent.Trim()), TimeSpan.FromSeconds(5));
    }
}
