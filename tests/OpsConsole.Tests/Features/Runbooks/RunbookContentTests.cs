using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OpsConsole.Features.Classification;
using OpsConsole.Features.Runbooks;

namespace OpsConsole.Tests.Features.Runbooks;

/// <summary>The shipped runbooks: one section per category, well-formed, with commands an operator can run.</summary>
public sealed partial class RunbookContentTests
{
    private static readonly RunbookLibrary Shipped = new(Options.Create(new RunbookOptions()), NullLogger<RunbookLibrary>.Instance);

    public static TheoryData<string> Categories() => [.. Taxonomy.All.Where(c => c.Id != Taxonomy.None).Select(c => c.Id)];

    [Fact]
    public void The_shipped_files_load_without_problems() => Assert.Empty(Shipped.Problems);

    [Theory]
    [MemberData(nameof(Categories))]
    public void Every_category_has_a_section_with_steps_commands_causes_and_escalation(string category)
    {
        var section = Shipped.Find(category);

        Assert.NotNull(section);
        var blocks = RunbookMarkdownRenderer.Render(section.Markdown, null);
        Assert.NotEmpty(blocks.OfType<RunbookStep>());
        Assert.Contains("**Escalate**", section.Markdown);
        Assert.Contains("| Cause | Fix |", section.Markdown.Replace("| Situation | What to do |", "| Cause | Fix |"));
        Assert.Contains("```", section.Markdown + section.Document.IntroMarkdown);
        Assert.False(string.IsNullOrWhiteSpace(section.Document.Meta.Owner));
        Assert.True(DateOnly.TryParse(section.Document.Meta.LastReviewed, out _));
    }

    [Fact]
    public void The_none_category_has_no_runbook() => Assert.Null(Shipped.Find(Taxonomy.None));

    [Fact]
    public void Commands_use_only_placeholders_the_console_can_fill()
    {
        var used = Shipped.Sections.Values
            .SelectMany(s => new[] { s.Markdown, s.Document.IntroMarkdown })
            .SelectMany(text => Placeholder().Matches(text).Select(m => m.Groups[1].Value))
            .ToHashSet();

        Assert.Empty(used.Except(RunbookPlaceholders.Known.Keys));
        Assert.Contains("serverId", used);
        Assert.Contains("systemId", used);
        Assert.Contains("pod", used);
        Assert.Contains("unitId", used);
    }

    [Fact]
    public void A_file_whose_sections_and_front_matter_disagree_is_reported()
    {
        var problems = new List<string>();
        const string text = "---\ntitle: T\nowner: o\nlastReviewed: 2026-01-01\ncategories: [exit.abort, exit.segfault]\n---\n\n## exit.abort — A\n\nx\n\n## not-a-category — B\n";

        var sections = RunbookLibrary.Parse("local.md", isLocal: true, text, problems);

        Assert.Equal(["exit.abort"], sections.Select(s => s.CategoryId));
        Assert.Contains(problems, p => p.Contains("local.md", StringComparison.Ordinal) && p.Contains("not-a-category", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("exit.segfault", StringComparison.Ordinal));
    }

    [GeneratedRegex(@"\{\{\s*([A-Za-z][A-Za-z0-9]*)\s*\}\}")]
    private static partial Regex Placeholder();
}
