namespace OpsConsole.Features.Runbooks;

/// <summary>The YAML front matter every runbook file starts with.</summary>
public sealed class RunbookFrontMatter
{
    public string Title { get; set; } = "";
    public string Owner { get; set; } = "";
    public string LastReviewed { get; set; } = "";
    public List<string> Categories { get; set; } = [];
}

/// <summary>One runbook file: its metadata, the text before its first category section, and the sections.</summary>
public sealed record RunbookDocument(string Path, bool IsLocal, RunbookFrontMatter Meta, string IntroMarkdown);

/// <summary>The part of a runbook file for one category (a level-2 heading starting with the category id).</summary>
public sealed record RunbookSection(string CategoryId, string Heading, string Markdown, RunbookDocument Document);
