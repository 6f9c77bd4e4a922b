using Bunit;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OpsConsole.Features.Records;
using OpsConsole.Features.Runbooks;

namespace OpsConsole.Tests.Features.Runbooks;

/// <summary>Command blocks declare their runtimes (<c>```sh for=…</c>); a record's runbook keeps only its own.</summary>
public sealed class RunbookRuntimeTests : BunitTest
{
    private static readonly RunbookLibrary Shipped = new(Options.Create(new RunbookOptions()), NullLogger<RunbookLibrary>.Instance);

    private const string Mixed = """
        Read the output first:

        ```sh for=kubernetes
        kubectl logs {{pod}} -n {{namespace}} --previous
        ```
        ```sh for=docker
        docker logs --tail 200 {{container}}
        ```

        - [ ] Both runtimes:
          ```sh for=kubernetes
          kubectl describe pod {{pod}} -n {{namespace}}
          ```
          ```sh for=docker,aos
          dmesg -T | grep -i oom-kill
          ```
        - [ ] Kubernetes only:
          ```sh for=kubernetes
          kubectl top pod {{pod}} -n {{namespace}}
          ```
        - [ ] Any runtime, no command.
        """;

    private static string Html(IReadOnlyList<RunbookBlock> blocks) => string.Concat(blocks.Select(b => b.Html));

    [Fact]
    public void For_one_runtime_other_blocks_go_and_so_does_a_step_left_without_commands()
    {
        var blocks = RunbookMarkdownRenderer.Render(Mixed, null, "docker");

        var html = Html(blocks);
        Assert.DoesNotContain("kubectl", html);
        Assert.Contains("docker logs", html);
        Assert.Contains("dmesg", html);
        Assert.Equal(["Both runtimes:", "Any runtime, no command."], blocks.OfType<RunbookStep>().Select(s => s.Text));
    }

    [Fact]
    public void Without_a_runtime_every_block_shows_under_its_label_and_steps_keep_their_ids()
    {
        var all = RunbookMarkdownRenderer.Render(Mixed, null);
        var docker = RunbookMarkdownRenderer.Render(Mixed, null, "docker");

        var labels = HtmlSafety.Parse(Html(all)).QuerySelectorAll(".code-for").Select(e => e.TextContent).ToList();
        Assert.Equal(["for kubernetes", "for docker", "for kubernetes", "for docker, aos", "for kubernetes"], labels);
        Assert.Equal(3, all.OfType<RunbookStep>().Count());
        // A tick saved on the full runbook still matches the filtered one.
        Assert.Equal(all.OfType<RunbookStep>().First().StepId, docker.OfType<RunbookStep>().First().StepId);
    }

    [Fact]
    public void A_block_for_a_runtime_the_console_does_not_know_is_a_reported_problem()
    {
        var problems = new List<string>();
        const string text = "---\ntitle: T\nowner: o\nlastReviewed: 2026-01-01\ncategories: [exit.abort]\n---\n\n## exit.abort — A\n\n```sh for=podman\npodman logs x\n```\n";

        RunbookLibrary.Parse("local.md", isLocal: true, text, problems);

        Assert.Contains(problems, p => p.Contains("local.md", StringComparison.Ordinal) && p.Contains("'podman'", StringComparison.Ordinal));
    }

    public static TheoryData<string, string[]> Forbidden() => new()
    {
        { "docker", ["kubectl", "az containerapp", "aos-service", "aos-servicemanager", "soci"] },
        { "kubernetes", ["docker logs", "docker inspect", "docker run", "docker events", "az containerapp", "aos-service"] },
        { "container-apps", ["kubectl", "docker ", "journalctl", "dmesg"] },
        { "aos", ["kubectl", "docker ", "az containerapp"] },
    };

    [Theory]
    [MemberData(nameof(Forbidden))]
    public void No_shipped_runbook_shows_another_runtimes_commands(string runtime, string[] forbidden)
    {
        foreach (var section in Shipped.Sections.Values)
        {
            var html = RunbookMarkdownRenderer.RenderHtml(section.Document.IntroMarkdown, null, runtime)
                     + Html(RunbookMarkdownRenderer.Render(section.Markdown, null, runtime));
            var commands = string.Join('\n', HtmlSafety.Parse(html).QuerySelectorAll("pre code").Select(c => c.TextContent));
            foreach (var word in forbidden)
                Assert.False(commands.Contains(word, StringComparison.Ordinal), $"{section.CategoryId} for {runtime} shows '{word}':\n{commands}");
        }
    }

    [Fact]
    public void A_docker_records_guided_runbook_has_only_docker_steps_all_filled()
    {
        var record = new EventRecord
        {
            Id = 7, Kind = "container", Source = "docker", Format = "docker-event", Entry = "die",
            InstanceKey = "docker/build-host-3/payments-api", InstanceName = "build-host-3/payments-api",
            Identity = """{"host":"build-host-3","container":"payments-api"}""", Location = "build-host-3",
            Category = "exit.oom-killed", Severity = "error", ExitCode = 137,
            OccurredAt = DateTimeOffset.Parse("2026-11-23T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture),
            DedupeKey = "d", RawJson = "{}",
        };

        var cut = Render<RunbookView>(p => p.Add(v => v.Section, Shipped.Find("exit.oom-killed")!).Add(v => v.Record, record));

        var commands = cut.FindAll("pre code").Select(c => c.TextContent).ToList();
        Assert.NotEmpty(commands);
        Assert.DoesNotContain(commands, c => c.Contains("kubectl", StringComparison.Ordinal) || c.Contains("az ", StringComparison.Ordinal) || c.Contains("aos-", StringComparison.Ordinal));
        Assert.Contains(commands, c => c.Contains("docker logs --tail 200 payments-api", StringComparison.Ordinal));
        Assert.Contains(commands, c => c.Contains("docker inspect --format '{{.State.OOMKilled}}' payments-api", StringComparison.Ordinal));
        Assert.Empty(cut.FindAll(".placeholder.missing"));
        Assert.Contains("Commands for docker only", cut.Find(".runbook-runtime").TextContent);
        Assert.DoesNotContain(cut.FindAll(".runbook-step"), s => s.TextContent.Contains("Kubernetes", StringComparison.Ordinal));
    }

    [Fact]
    public void Opened_alone_a_missing_placeholder_says_what_to_substitute()
    {
        var cut = Render<RunbookView>(p => p.Add(v => v.Section, Shipped.Find("exit.oom-killed")!));

        var pod = cut.FindAll(".placeholder.missing").First(p => p.GetAttribute("data-placeholder") == "pod");
        Assert.StartsWith("fill in ", pod.GetAttribute("title"));
        Assert.NotEqual("fill in pod", pod.GetAttribute("title"));
        Assert.NotEmpty(cut.FindAll(".code-block[data-for=kubernetes]"));
        Assert.NotEmpty(cut.FindAll(".code-block[data-for=docker]"));
    }
}
