using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Markdig;
using Markdig.Extensions.TaskLists;
using Markdig.Renderers;
using Markdig.Renderers.Html;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;

namespace OpsConsole.Features.Runbooks;

/// <summary>A piece of a rendered runbook: plain content, or a step of the checklist (a task-list item).</summary>
public abstract record RunbookBlock(string Html);

public sealed record RunbookHtml(string Html) : RunbookBlock(Html);

/// <summary>A checklist step; <see cref="StepId"/> is a hash of its Markdown, so a tick survives unrelated edits.</summary>
public sealed record RunbookStep(string StepId, string Text, string Html) : RunbookBlock(Html);

/// <summary>
/// Renders runbook Markdown with Markdig, safely: raw HTML is off, links and images keep only http, https,
/// mailto and relative targets, and <c>{{placeholders}}</c> are filled with HTML-encoded record values
/// (or left visible and marked when the record does not have them).
/// </summary>
public static partial class RunbookMarkdownRenderer
{
    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder()
        .UsePipeTables()
        .UseTaskLists()
        .UseYamlFrontMatter()
        .UseAutoLinks()
        .DisableHtml()
        .Build();

    private static readonly string[] AllowedSchemes = ["http", "https", "mailto"];

    /// <summary>
    /// Renders Markdown into blocks; task-list items at the top level become checklist steps. Given a
    /// <paramref name="runtime"/>, command blocks for other runtimes are left out (see <see cref="RunbookRuntimes"/>),
    /// and so is a step that had only such blocks.
    /// </summary>
    public static IReadOnlyList<RunbookBlock> Render(string markdown, IReadOnlyDictionary<string, string>? values, string? runtime = null)
    {
        var document = Markdown.Parse(markdown, Pipeline);
        NeutraliseUnsafeLinks(document);
        var emptied = KeepRuntime(document, runtime);
        var blocks = new List<RunbookBlock>();
        foreach (var block in document)
        {
            if (block is ListBlock list && list.All(IsTaskItem))
            {
                foreach (ListItemBlock item in list.Cast<ListItemBlock>())
                {
                    if (emptied.Contains(item)) continue;
                    var source = markdown[item.Span.Start..Math.Min(markdown.Length, item.Span.End + 1)];
                    foreach (var box in item.Descendants<TaskList>().ToList()) box.Remove();
                    blocks.Add(new RunbookStep(StepIdOf(source), PlainText(item), Finish(RenderBlocks(item), values)));
                }
            }
            else if (block is not FencedCodeBlock code || RunbookRuntimes.AppliesTo(code, runtime))
            {
                blocks.Add(new RunbookHtml(Finish(RenderBlocks([block]), values)));
            }
        }
        return blocks;
    }

    /// <summary>Renders Markdown as one HTML string (task lists stay static check boxes).</summary>
    public static string RenderHtml(string markdown, IReadOnlyDictionary<string, string>? values, string? runtime = null) =>
        string.Concat(Render(markdown, values, runtime).Select(b => b is RunbookStep step ? $"<div class=\"runbook-step\">{step.Html}</div>" : b.Html));

    /// <summary>
    /// Removes nested command blocks for other runtimes and labels the rest with theirs; returns the steps left
    /// with no command at all because each was for another runtime. Top-level blocks are skipped by the caller.
    /// </summary>
    private static HashSet<ListItemBlock> KeepRuntime(MarkdownDocument document, string? runtime)
    {
        var emptied = new HashSet<ListItemBlock>();
        foreach (var code in document.Descendants<FencedCodeBlock>().ToList())
        {
            if (RunbookRuntimes.Of(code) is { Count: > 0 } runtimes)
                code.GetAttributes().AddProperty("data-for", string.Join(',', runtimes));
            if (RunbookRuntimes.AppliesTo(code, runtime) || code.Parent is MarkdownDocument) continue;
            var step = code.Parent as ListItemBlock;
            code.Parent!.Remove(code);
            if (step is not null && !step.Descendants<FencedCodeBlock>().Any()) emptied.Add(step);
        }
        return emptied;
    }

    /// <summary>True for a URL whose scheme is http, https or mailto, or that has no scheme (relative).</summary>
    public static bool IsSafeUrl(string? url)
    {
        if (string.IsNullOrEmpty(url)) return true;
        // Browsers ignore control characters and spaces inside a scheme ("java\tscript:"), so compare without them.
        var compact = new string(url.Where(c => !char.IsControl(c) && !char.IsWhiteSpace(c)).ToArray());
        var colon = compact.IndexOf(':');
        var boundary = compact.IndexOfAny(['/', '?', '#']);
        if (colon < 0 || (boundary >= 0 && boundary < colon)) return true;
        var scheme = compact[..colon];
        return AllowedSchemes.Contains(scheme, StringComparer.OrdinalIgnoreCase);
    }

    private static bool IsTaskItem(Block block) =>
        block is ListItemBlock { Count: > 0 } item && item[0] is ParagraphBlock { Inline.FirstChild: TaskList };

    private static void NeutraliseUnsafeLinks(MarkdownDocument document)
    {
        foreach (var link in document.Descendants<LinkInline>().ToList())
        {
            if (IsSafeUrl(link.Url)) continue;
            // Keep what the link said, as text; drop where it pointed.
            link.ReplaceBy(new LiteralInline(link.IsImage ? link.Title ?? "" : PlainText(link)), copyChildren: false);
        }
        foreach (var autolink in document.Descendants<AutolinkInline>().ToList())
        {
            if (IsSafeUrl(autolink.IsEmail ? "mailto:" + autolink.Url : autolink.Url)) continue;
            autolink.ReplaceBy(new LiteralInline(autolink.Url), copyChildren: false);
        }
    }

    private static string RenderBlocks(IEnumerable<Block> blocks)
    {
        using var writer = new StringWriter();
        var renderer = new HtmlRenderer(writer);
        Pipeline.Setup(renderer);
        foreach (var block in blocks) renderer.Render(block);
        writer.Flush();
        return writer.ToString();
    }

    /// <summary>Renders command blocks for their shell (see <see cref="RunbookCommandBlock"/>) and fills prose placeholders.</summary>
    private static string Finish(string html, IReadOnlyDictionary<string, string>? values)
    {
        var result = new StringBuilder(html.Length + 64);
        var position = 0;
        foreach (Match block in CodeBlock().Matches(html))
        {
            result.Append(FillProse(html[position..block.Index], values));
            result.Append(RunbookCommandBlock.Render(block.Groups["language"].Value, block.Groups["code"].Value, values, block.Groups["for"].Value));
            position = block.Index + block.Length;
        }
        result.Append(FillProse(html[position..], values));
        return result.ToString();
    }

    /// <summary>Fills placeholders outside command blocks, touching only text between tags.</summary>
    private static string FillProse(string html, IReadOnlyDictionary<string, string>? values)
    {
        var result = new StringBuilder(html.Length + 64);
        var position = 0;
        foreach (Match tag in HtmlTag().Matches(html))
        {
            result.Append(FillText(html[position..tag.Index], values));
            result.Append(tag.Value);
            position = tag.Index + tag.Length;
        }
        result.Append(FillText(html[position..], values));
        return result.ToString();
    }

    private static string FillText(string text, IReadOnlyDictionary<string, string>? values) =>
        Placeholder().Replace(text, match =>
        {
            var name = match.Groups["name"].Value;
            return values is not null && values.TryGetValue(name, out var value)
                ? $"<span class=\"placeholder filled\" data-placeholder=\"{name}\">{WebUtility.HtmlEncode(value)}</span>"
                : $"<span class=\"placeholder missing\" data-placeholder=\"{name}\" title=\"{RunbookPlaceholders.FillIn(name)}\">{match.Value}</span>";
        });

    private static string PlainText(ContainerBlock item) =>
        string.Join(' ', item.Descendants<ParagraphBlock>().Take(1).Select(p => p.Inline is null ? "" : PlainText(p.Inline))).Trim();

    private static string PlainText(ContainerInline inline) =>
        string.Concat(inline.Descendants<Inline>().Select(i => i switch
        {
            LiteralInline literal => literal.Content.ToString(),
            CodeInline code => code.Content,
            _ => "",
        }));

    private static string StepIdOf(string source) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(source.Trim())))[..12];

    // Markdig HTML-encodes text, so '<' only ever starts one of its own tags here (raw HTML is disabled).
    [GeneratedRegex("<pre><code(?: class=\"language-(?<language>[^\"]*)\")?(?: data-for=\"(?<for>[^\"]*)\")?>(?<code>[^<]*)</code></pre>")]
    private static partial Regex CodeBlock();

    [GeneratedRegex("<[^>]*>")]
    private static partial Regex HtmlTag();

    [GeneratedRegex(@"\{\{\s*(?<name>[A-Za-z][A-Za-z0-9]*)\s*\}\}")]
    private static partial Regex Placeholder();
}
