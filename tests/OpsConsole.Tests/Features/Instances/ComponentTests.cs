using Bunit;
using Microsoft.Extensions.DependencyInjection;
using OpsConsole.Features.Instances;
using OpsConsole.Features.Instances.Timeline;
using OpsConsole.Features.Runbooks;
using OpsConsole.Sources.Aos;
using OpsConsole.Sources.Containers;
using OpsConsole.Sources.Maas;
using static OpsConsole.Tests.Features.Instances.Records;

namespace OpsConsole.Tests.Features.Instances;

/// <summary>bUnit: the console's pieces on their own (rows, chips, filters, timeline, pipeline strips, exits).</summary>
public sealed class ComponentTests : BunitTest
{
    private static readonly DateTimeOffset Now = DateTimeOffset.Parse("2026-11-23T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture);

    public ComponentTests() => Services.AddSingleton<TimeProvider>(new ManualClock(Now));

    private static FailingInstance Failing(string message = "back-off restarting failed container", InstanceAcknowledgement? ack = null) => new(
        "k8s/prod/shop/api-7d9/api", "shop/api-7d9/api", "container", "kubernetes", "worker-2", "restart.crash-loop", "restart", "critical",
        message, 4, Now.AddHours(-3), Now.AddMinutes(-5), Now.AddMinutes(-5), 42, ack);

    private IRenderedComponent<FailingRow> RenderRow(FailingInstance item, Action<FailingInstance>? acknowledge = null) =>
        Render<FailingRow>(p => p.Add(r => r.Item, item).Add(r => r.OnAcknowledge, acknowledge ?? (_ => { })));

    [Fact]
    public void A_failing_row_shows_identity_category_counts_relative_times_and_links()
    {
        var row = RenderRow(Failing());

        Assert.Equal("/instances/k8s/prod/shop/api-7d9/api", row.Find(".instance-link").GetAttribute("href"));
        Assert.Contains("cluster prod · on worker-2", row.Find(".instance-parts").TextContent);
        Assert.Equal("restart.crash-loop", row.Find(".category-id").TextContent.Trim());
        Assert.Contains("critical", row.Find(".severity").TextContent);
        var times = row.FindAll("time");
        Assert.Equal(["3 h ago", "5 min ago"], times.Select(t => t.TextContent));
        Assert.Equal("Source time: 2026-11-23 09:00:00 UTC", times[0].GetAttribute("title"));
        Assert.Equal("/runbooks/restart.crash-loop?record=42", row.Find(".open-runbook").GetAttribute("href"));
    }

    [Fact]
    public void A_viewer_sees_the_row_without_acknowledge_or_clear_buttons()
    {
        Assert.Single(RenderRow(Failing()).FindAll(".acknowledge"));

        Authorization.SetPolicies(OpsConsole.Features.Auth.ConsolePolicies.Viewer);
        var row = RenderRow(Failing());

        Assert.Empty(row.FindAll(".acknowledge"));
        Assert.Empty(row.FindAll(".clear-acknowledgement"));
        Assert.Single(row.FindAll(".open-runbook"));
    }

    [Fact]
    public void Long_messages_are_cut_with_the_full_text_on_hover()
    {
        var message = new string('x', 300);

        var cell = RenderRow(Failing(message)).Find(".last-message span");

        Assert.Equal(message, cell.GetAttribute("title"));
        Assert.Equal(141, cell.TextContent.Length);
    }

    [Fact]
    public void Acknowledged_rows_show_their_status_and_say_when_they_failed_again()
    {
        var ack = new InstanceAcknowledgement { InstanceKey = "k", Status = InstanceAcknowledgement.Acknowledged, Note = "on it", At = Now.AddHours(-1), LastFailureAt = Now.AddHours(-2) };

        var row = RenderRow(Failing(ack: ack));

        Assert.Contains("acknowledged · failed again", row.Find(".ack-chip").TextContent);
        Assert.Empty(row.FindAll(".acknowledge"));
        Assert.NotEmpty(row.FindAll(".clear-acknowledgement"));
    }

    [Fact]
    public void The_acknowledge_button_hands_the_row_up()
    {
        FailingInstance? asked = null;
        var row = RenderRow(Failing(), i => asked = i);

        row.Find(".acknowledge").Click();

        Assert.Equal("k8s/prod/shop/api-7d9/api", asked?.Instance);
    }

    [Fact]
    public void Family_chips_count_and_toggle_the_family_filter()
    {
        string? selected = "unset";
        var counts = new Dictionary<string, int> { ["exit"] = 3, ["vm"] = 2 };
        var chips = Render<FamilyChips>(p => p.Add(c => c.Counts, counts).Add(c => c.SelectedChanged, (string? f) => selected = f));

        Assert.Equal(["", "exit", "vm"], chips.FindAll(".family-chip").Select(c => c.GetAttribute("data-family")));
        Assert.Contains("5", chips.Find(".family-chip[data-family='']").TextContent);
        chips.Find(".family-chip[data-family='vm']").Click();
        Assert.Equal("vm", selected);

        chips.Render(p => p.Add(c => c.Selected, "vm"));
        chips.Find(".family-chip[data-family='vm']").Click();
        Assert.Null(selected);
    }

    [Fact]
    public void Filters_hand_up_a_new_view_and_offer_to_clear()
    {
        FailingView? changed = null;
        var filters = Render<FailingFilters>(p => p.Add(f => f.View, new FailingView(Family: "exit"))
            .Add(f => f.Sources, ["docker", "kubernetes"]).Add(f => f.ViewChanged, (FailingView v) => changed = v));

        // As with the text fields below, MudBlazor may hand the change on after Change or Click returns on a loaded machine.
        filters.Find(".filter-muted input").Change(true);
        filters.WaitForAssertion(() => Assert.Equal(new FailingView(Family: "exit", IncludeMuted: true), changed));

        filters.FindAll("button").Single(b => b.TextContent.Contains("Clear filters", StringComparison.Ordinal)).Click();
        filters.WaitForAssertion(() => Assert.Equal(new FailingView(), changed));
    }

    [Fact]
    public void An_absolute_range_shows_its_inputs_and_a_new_bound_replaces_the_relative_range()
    {
        FailingView? changed = null;
        var plain = Render<FailingFilters>(p => p.Add(f => f.View, new FailingView(Range: "1h")));
        Assert.Empty(plain.FindAll(".filter-from input"));

        var from = FailingView.Time("2026-11-20T08:00");
        var filters = Render<FailingFilters>(p => p.Add(f => f.View, new FailingView(Range: "1h", RangeFrom: from))
            .Add(f => f.ViewChanged, (FailingView v) => changed = v));
        Assert.Equal("2026-11-20T08:00", filters.Find(".filter-from input").GetAttribute("value"));

        // MudTextField hands a changed value on asynchronously: on a loaded machine the callback can come after Change returns.
        filters.Find(".filter-to input").Change("2026-11-20T12:00");
        filters.WaitForAssertion(() => Assert.Equal(new FailingView(RangeFrom: from, RangeTo: FailingView.Time("2026-11-20T12:00")), changed));

        filters.Find(".filter-to input").Change("2026-11-19T12:00");
        filters.WaitForAssertion(() => Assert.Equal(new FailingView(Range: "1h"), changed));
    }

    [Fact]
    public void The_timeline_shows_failures_with_evidence_runbook_links_raw_payload_and_ticked_steps()
    {
        var failure = Dto("exit.oom-killed", 5, source: "kubernetes", kind: "container", message: "OOMKilled", exitCode: 137);
        var fact = Dto("none", 1, source: "kubernetes", kind: "container", state: "running");
        var tick = new RunbookStepMark { InstanceKey = "k", RecordId = failure.Id, Category = failure.Category, StepId = "s1", StepText = "Confirm the limit", Done = true, At = failure.OccurredAt.AddMinutes(2) };

        var timeline = Render<IncidentTimeline>(p => p.Add(t => t.Groups, TimelineGroups.For(NewestFirst(failure, fact), [tick])));

        var entries = timeline.FindAll(".timeline-entry");
        Assert.Equal(3, entries.Count);
        Assert.Contains("runbook-tick", entries[0].ClassList);
        Assert.Contains("Confirm the limit", entries[0].TextContent);
        Assert.Contains("failure", entries[1].ClassList);
        Assert.Equal("evidence of exit.oom-killed", entries[1].QuerySelector(".evidence")!.TextContent);
        Assert.Equal($"/runbooks/exit.oom-killed?record={failure.Id}", entries[1].QuerySelector(".open-runbook")!.GetAttribute("href"));
        Assert.Null(entries[2].QuerySelector(".open-runbook"));
    }

    [Fact]
    public void The_stage_strip_marks_the_failed_stage_and_links_its_runbook()
    {
        var steps = DeploymentStages.For(NewestFirst(Dto("deploy.download.http-403", 3, state: "failed")));

        var strip = Render<PipelineStrip>(p => p.Add(s => s.Steps, steps).Add(s => s.Title, "Deployment pipeline"));

        Assert.Equal(["Done", "Failed", "NotReached", "NotReached", "NotReached", "NotReached"], strip.FindAll(".pipeline-step").Select(s => s.GetAttribute("data-status")));
        var failed = strip.Find(".step-failed");
        Assert.Contains("Download", failed.TextContent);
        Assert.StartsWith("/runbooks/deploy.download.http-403?record=", failed.QuerySelector("a")!.GetAttribute("href"));
    }

    [Fact]
    public void Maas_steps_that_never_happened_are_shown_as_missing()
    {
        var (_, steps) = BootSequence.For(NewestFirst(
            Dto("none", 0, source: "maas", kind: "vm", reason: "Performing PXE boot"),
            Dto("none", 1, source: "maas", kind: "vm", reason: "Loading ephemeral"),
            Dto("node.commission.timeout", 30, source: "maas", kind: "vm", reason: "Marking node failed")));

        var strip = Render<PipelineStrip>(p => p.Add(s => s.Steps, steps));

        var missing = strip.Find(".step-missing");
        Assert.Contains("Reported back to the region", missing.TextContent);
        Assert.Contains("never happened", missing.TextContent);
        Assert.Equal("Reported back to the region (cloud-init): expected, never happened", missing.GetAttribute("title"));
    }

    [Fact]
    public void Exit_history_lists_each_exit_with_its_meaning_and_restart_count()
    {
        var history = Render<ExitHistory>(p => p.Add(e => e.Records, NewestFirst(
            Dto("exit.oom-killed", 9, kind: "container", exitCode: 137, restarts: 5, reason: "OOMKilled"),
            Dto("exit.app-error", 2, kind: "container", exitCode: 1, restarts: 4),
            Dto("none", 1, kind: "container", state: "running"))));

        var rows = history.FindAll(".exit-history tbody tr");
        Assert.Equal(2, rows.Count);
        Assert.Equal("137", rows[0].QuerySelector(".exit-code")!.TextContent.Trim());
        Assert.Contains("SIGKILL", rows[0].QuerySelector(".exit-meaning")!.TextContent);
        Assert.Contains("5", rows[0].TextContent);
        Assert.Contains("application error", rows[1].QuerySelector(".exit-meaning")!.TextContent);
    }

    [Fact]
    public void A_raw_payload_is_rendered_only_once_asked_for()
    {
        var raw = System.Text.Json.JsonDocument.Parse("{\"marker\":\"payload-text-7f1\"}").RootElement.Clone();
        var view = Render<RawPayload>(p => p.Add(r => r.Raw, raw));

        Assert.DoesNotContain("payload-text-7f1", view.Markup);
        view.Find(".raw-toggle").Click();
        Assert.Contains("payload-text-7f1", view.Find(".raw-payload pre").TextContent);
    }
}
