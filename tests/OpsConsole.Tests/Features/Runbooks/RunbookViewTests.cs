using Bunit;
using OpsConsole.Features.Records;
using OpsConsole.Features.Runbooks;

namespace OpsConsole.Tests.Features.Runbooks;

/// <summary>bUnit: the runbook view alone and in guided mode.</summary>
public sealed class RunbookViewTests : BunitTest
{
    private const string Markdown = """
        Pods restart.

        - [ ] Read the previous run:
          ```sh
          kubectl logs {{pod}} -n {{namespace}} -c {{container}} --previous
          ```
        - [ ] Describe it: `kubectl describe pod {{pod}} -n {{namespace}}`

        **Escalate** when stuck.
        """;

    private static RunbookSection Section(string markdown = Markdown) => new("restart.crash-loop", "Crash loop", markdown,
        new RunbookDocument("restart.md", false, new RunbookFrontMatter { Title = "Crash loops", Owner = "oncall", LastReviewed = "2026-11-23" }, ""));

    private static EventRecord Record(string pod = "checkout-7d9f", string ns = "shop", string message = "back-off restarting failed container") => new()
    {
        Id = 42,
        Kind = "container",
        Source = "kubernetes",
        Format = "k8s-pod",
        Entry = "waiting",
        InstanceKey = $"k8s/prod/{ns}/{pod}/api",
        InstanceName = $"{ns}/{pod}/api",
        Category = "restart.crash-loop",
        Severity = "error",
        RuleId = "k8s-crashloop",
        Evidence = "reason=CrashLoopBackOff",
        Reason = "CrashLoopBackOff",
        Message = message,
        OccurredAt = DateTimeOffset.Parse("2026-11-23T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture),
        DedupeKey = "x",
        RawJson = "{}",
    };

    [Fact]
    public void Opened_from_a_record_the_commands_carry_its_own_ids()
    {
        var cut = Render<RunbookView>(p => p.Add(v => v.Section, Section()).Add(v => v.Record, Record()));

        var command = cut.Find(".runbook-step pre code").TextContent.Trim();
        Assert.Equal("kubectl logs checkout-7d9f -n shop -c api --previous", command);
        Assert.Empty(cut.FindAll(".placeholder.missing"));
        Assert.Contains("reason=CrashLoopBackOff", cut.Find(".runbook-record").TextContent);
        Assert.Contains("shop/checkout-7d9f/api", cut.Find(".runbook-instance").TextContent);
    }

    [Fact]
    public void Opened_alone_the_placeholders_stay_visible_and_marked()
    {
        var cut = Render<RunbookView>(p => p.Add(v => v.Section, Section()));

        var missing = cut.FindAll(".runbook-body .placeholder.missing").Select(e => e.TextContent).Distinct().ToList();
        Assert.Equal(["{{pod}}", "{{namespace}}", "{{container}}"], missing);
        Assert.Contains("yours to fill in", cut.Markup);
        Assert.All(cut.FindAll("input[type=checkbox]"), box => Assert.True(box.HasAttribute("disabled")));
    }

    [Fact]
    public void Saved_marks_show_as_ticked_steps()
    {
        var steps = RunbookMarkdownRenderer.Render(Markdown, null).OfType<RunbookStep>().ToList();
        var marks = new Dictionary<string, RunbookStepMark>
        {
            [steps[1].StepId] = new() { InstanceKey = "k", RecordId = 42, Category = "restart.crash-loop", StepId = steps[1].StepId, StepText = steps[1].Text, Done = true, At = DateTimeOffset.UnixEpoch },
        };

        var cut = Render<RunbookView>(p => p.Add(v => v.Section, Section()).Add(v => v.Record, Record()).Add(v => v.Marks, marks));

        var rendered = cut.FindAll(".runbook-step");
        Assert.False(rendered[0].ClassList.Contains("done"));
        Assert.True(rendered[1].ClassList.Contains("done"));
        Assert.True(((AngleSharp.Html.Dom.IHtmlInputElement)rendered[1].QuerySelector("input[type=checkbox]")!).IsChecked);
        Assert.Contains("done 1970-01-01 00:00 UTC", rendered[1].TextContent);
    }

    [Fact]
    public void Ticking_a_step_reports_which_step_and_its_new_state()
    {
        RunbookStepChange? change = null;
        var cut = Render<RunbookView>(p => p.Add(v => v.Section, Section()).Add(v => v.Record, Record())
            .Add(v => v.OnStepChanged, (RunbookStepChange c) => change = c));

        cut.FindAll(".runbook-step input[type=checkbox]")[0].Change(true);

        Assert.NotNull(change);
        Assert.True(change.Done);
        Assert.Equal("Read the previous run:", change.Step.Text);
    }

    [Fact]
    public void Hostile_record_values_and_runbook_text_render_as_text()
    {
        var hostile = Section(Markdown + "\n\n<script>alert('md')</script> [x](javascript:alert(1)) <img src=x onerror=alert(2)>");
        var record = Record(pod: "\"><svg onload=alert(3)>", ns: "<b onmouseover=alert(4)>", message: "<img src=x onerror=alert(5)>");

        var cut = Render<RunbookView>(p => p.Add(v => v.Section, hostile).Add(v => v.Record, record));

        HtmlSafety.AssertNothingExecutable(cut.Markup);
        Assert.Contains("<svg onload=alert(3)>", cut.Find(".runbook-step pre code").TextContent);
        Assert.Contains("<img src=x onerror=alert(5)>", cut.Find(".runbook-fields").TextContent);
    }
}
