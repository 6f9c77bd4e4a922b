using OpsConsole.Features.Runbooks;

namespace OpsConsole.Tests.Features.Runbooks;

public sealed class RunbookMarkdownRendererTests
{
    private const string Hostile = """
        Intro <script>alert(1)</script> and <img src=x onerror=alert(2)>

        <div onclick="alert(3)">raw block</div>

        [click](javascript:alert(4)) [tab](java	script:alert(5)) [upper](JAVASCRIPT:alert(6)) [data](data:text/html,<script>alert(7)</script>)
        ![pic](javascript:alert(8)) <javascript:alert(9)> [vb](vbscript:msgbox)

        [web](https://example.org/a) [mail](mailto:ops@example.org) [relative](/runbooks/unknown) [anchor](#confirm)

        - [ ] Step with `{{pod}}`:
          ```sh
          kubectl logs {{pod}} -n {{namespace}}
          ```
        """;

    [Fact]
    public void Raw_html_and_script_links_never_reach_the_output()
    {
        var html = RunbookMarkdownRenderer.RenderHtml(Hostile, null);

        HtmlSafety.AssertNothingExecutable(html);
        Assert.Contains("&lt;script&gt;", html); // shown as text, not dropped silently
        Assert.DoesNotContain("javascript:", HtmlSafety.Parse(html).QuerySelectorAll("a").Select(a => a.GetAttribute("href") ?? ""));
    }

    [Fact]
    public void Safe_links_keep_their_targets()
    {
        var hrefs = HtmlSafety.Parse(RunbookMarkdownRenderer.RenderHtml(Hostile, null))
            .QuerySelectorAll("a").Select(a => a.GetAttribute("href")).ToList();

        Assert.Contains("https://example.org/a", hrefs);
        Assert.Contains("mailto:ops@example.org", hrefs);
        Assert.Contains("/runbooks/unknown", hrefs);
        Assert.Contains("#confirm", hrefs);
        Assert.Equal(4, hrefs.Count);
    }

    [Theory]
    [InlineData("https://x", true)]
    [InlineData("relative/path", true)]
    [InlineData("/a:b", true)]
    [InlineData("?q=a:b", true)]
    [InlineData("javascript:alert(1)", false)]
    [InlineData(" java\tscript:alert(1)", false)]
    [InlineData("data:text/html;base64,AAAA", false)]
    [InlineData("file:///etc/passwd", false)]
    public void Only_http_https_mailto_and_relative_urls_are_safe(string url, bool safe) =>
        Assert.Equal(safe, RunbookMarkdownRenderer.IsSafeUrl(url));

    [Fact]
    public void Placeholders_are_filled_with_encoded_values_and_never_expanded_twice()
    {
        var values = new Dictionary<string, string>
        {
            ["pod"] = "\"><img src=x onerror=alert(1)>{{namespace}}",
            ["namespace"] = "shop",
        };

        var html = RunbookMarkdownRenderer.RenderHtml("- [ ] run\n  ```sh\n  kubectl logs {{pod}} -n {{namespace}} -c {{container}}\n  ```", values);

        HtmlSafety.AssertNothingExecutable(html);
        var code = HtmlSafety.Parse(html).QuerySelector("pre code")!;
        Assert.Equal("kubectl logs \"><img src=x onerror=alert(1)>{{namespace}} -n shop -c {{container}}", code.TextContent.Trim());
        var missing = HtmlSafety.Parse(html).QuerySelectorAll(".placeholder.missing").Select(e => e.GetAttribute("data-placeholder"));
        Assert.Equal(["container"], missing);
    }

    [Fact]
    public void Unfilled_placeholders_stay_visible_and_marked()
    {
        var html = RunbookMarkdownRenderer.RenderHtml("Run `openstack server show {{serverId}}`.", null);

        var marked = HtmlSafety.Parse(html).QuerySelector(".placeholder.missing")!;
        Assert.Equal("{{serverId}}", marked.TextContent);
        Assert.Equal("serverId", marked.GetAttribute("data-placeholder"));
    }

    [Fact]
    public void Task_list_items_become_steps_with_ids_that_follow_their_text()
    {
        const string markdown = "Intro\n\n- [ ] First `cmd`\n- [x] Second\n\nOutro";

        var blocks = RunbookMarkdownRenderer.Render(markdown, null);
        var again = RunbookMarkdownRenderer.Render("Changed intro\n\n- [ ] First `cmd`\n- [x] Second edited\n\nOutro", null);

        var steps = blocks.OfType<RunbookStep>().ToList();
        Assert.Equal(["First cmd", "Second"], steps.Select(s => s.Text));
        Assert.DoesNotContain("checkbox", steps[0].Html); // the console draws its own check box
        var stepsAgain = again.OfType<RunbookStep>().ToList();
        Assert.Equal(steps[0].StepId, stepsAgain[0].StepId);
        Assert.NotEqual(steps[1].StepId, stepsAgain[1].StepId);
        Assert.IsType<RunbookHtml>(blocks[0]);
        Assert.IsType<RunbookHtml>(blocks[^1]);
    }

    [Fact]
    public void Code_blocks_get_a_copy_button_and_tables_render()
    {
        var html = RunbookMarkdownRenderer.RenderHtml("| a | b |\n|---|---|\n| 1 | 2 |\n\n```sh\ndf -h\n```", null);

        var document = HtmlSafety.Parse(html);
        Assert.NotNull(document.QuerySelector("table td"));
        Assert.Equal("Copy", document.QuerySelector(".code-block > button.copy-code")!.TextContent);
        Assert.Equal("df -h", document.QuerySelector(".code-block pre code")!.TextContent.Trim());
    }
}
