using System.Net;
using Microsoft.Extensions.DependencyInjection;
using OpsConsole.Features.Classification;
using OpsConsole.Features.Runbooks;

namespace OpsConsole.Tests.Features.Runbooks;

/// <summary>The runbook pages, links and progress through the real app (server-side prerendered HTML).</summary>
public sealed class RunbookPagesTests : IClassFixture<RunbookPagesTests.Fixture>
{
    private readonly Fixture _factory;

    public RunbookPagesTests(Fixture factory) => _factory = factory;

    public sealed class Fixture() : OpsConsoleFactory(new Dictionary<string, string?>
    {
        ["OpsConsole:PublicBaseUrl"] = "https://ops.example.net/console/",
        ["Runbooks:ExtraPath"] = LocalFolder,
    })
    {
        public static readonly string LocalFolder = System.IO.Directory.CreateTempSubdirectory("opsconsole-runbooks-").FullName;
    }

    public static TheoryData<string> Categories() => [.. Taxonomy.All.Where(c => c.Id != Taxonomy.None).Select(c => c.Id)];

    [Theory]
    [MemberData(nameof(Categories))]
    public async Task Every_category_has_a_runbook_page_that_renders(string category)
    {
        var response = await (await _factory.SignedInClientAsync("Viewer")).GetAsync($"/runbooks/{category}");
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = HtmlSafety.Parse(html);
        Assert.Equal(category, page.QuerySelector("article.runbook")?.GetAttribute("data-category"));
        Assert.NotEmpty(page.QuerySelectorAll(".runbook-step"));
        HtmlSafety.AssertNothingExecutable(page.QuerySelector("article.runbook")!.InnerHtml);
    }

    [Fact]
    public async Task Guided_mode_fills_commands_with_the_records_own_ids()
    {
        var api = _factory.CreateApiClient();
        var result = await api.PostOkAsync("/api/v1/vm-events?cloud=east", Samples.Read("nova/server-fault-no-valid-host.json"));
        var record = result.GetProperty("records").EnumerateArray().First(r => r.GetProperty("category").GetString() == "vm.schedule.no-valid-host");
        var id = record.GetProperty("id").GetInt64();

        var html = await (await _factory.SignedInClientAsync("Viewer")).GetStringAsync($"/runbooks/vm.schedule.no-valid-host?record={id}");

        var page = HtmlSafety.Parse(html);
        var commands = string.Join('\n', page.QuerySelectorAll(".runbook pre code").Select(c => c.TextContent));
        Assert.Contains("openstack server show 9e2c4f1a-6b3d-4c8e-a7f0-5d1b2e3c4a69", commands);
        Assert.Contains("nova/east/9e2c4f1a-6b3d-4c8e-a7f0-5d1b2e3c4a69", page.QuerySelector(".runbook-record")!.TextContent);
        Assert.DoesNotContain(page.QuerySelectorAll(".placeholder.missing"), p => p.GetAttribute("data-placeholder") == "serverId");
    }

    [Fact]
    public async Task Kubernetes_guided_mode_names_the_pod_namespace_and_container()
    {
        var api = _factory.CreateApiClient();
        var result = await api.PostOkAsync("/api/v1/container-exits?cluster=prod", Samples.Read("k8s/pod-crashloop-exit1-error.json"));
        var record = result.GetProperty("records").EnumerateArray().First(r => r.GetProperty("category").GetString() == "restart.crash-loop");
        var instance = record.GetProperty("instance").GetString()!.Split('/'); // k8s/prod/{namespace}/{pod}/{container}

        var html = await (await _factory.SignedInClientAsync("Viewer")).GetStringAsync($"/runbooks/restart.crash-loop?record={record.GetProperty("id").GetInt64()}");

        var commands = string.Join('\n', HtmlSafety.Parse(html).QuerySelectorAll(".runbook pre code").Select(c => c.TextContent));
        Assert.Contains($"kubectl logs {instance[3]} -n {instance[2]} -c {instance[4]} --previous", commands);
    }

    [Fact]
    public async Task The_index_groups_by_family_and_counts_failing_instances()
    {
        await _factory.CreateApiClient().PostOkAsync("/api/v1/container-exits?cluster=idx", Samples.Read("k8s/pod-pending-unschedulable.json"));

        var page = HtmlSafety.Parse(await (await _factory.SignedInClientAsync("Viewer")).GetStringAsync("/runbooks"));

        foreach (var family in Taxonomy.Families.Where(f => f != Taxonomy.None))
            Assert.NotNull(page.QuerySelector($"section[data-family='{family}']"));
        var row = page.QuerySelector("tr[data-category='container.unschedulable']")!;
        Assert.Matches(@"[1-9]\d* failing", row.QuerySelector(".failing-count")!.TextContent);
        Assert.Empty(page.QuerySelectorAll("tr[data-category] .mud-error-text"));
        var upstream = page.QuerySelector("tr[data-category='vm.schedule.no-valid-host'] [data-upstream='nova/exception']")!;
        Assert.Contains("NoValidHost", upstream.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Categories_api_links_each_runbook_from_the_public_base_url()
    {
        var categories = await (await _factory.CreateApiClient().GetAsync("/api/v1/categories")).ReadJsonAsync();

        var byId = categories.EnumerateArray().ToDictionary(c => c.GetProperty("id").GetString()!, c => c.GetProperty("runbookUrl"));
        Assert.Equal("https://ops.example.net/console/runbooks/vm.api.quota", byId["vm.api.quota"].GetString());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, byId["none"].ValueKind);

        var noValidHost = categories.EnumerateArray().Single(c => c.GetProperty("id").GetString() == "vm.schedule.no-valid-host").GetProperty("upstream");
        var exceptions = noValidHost.EnumerateArray().Single(u => u.GetProperty("source").GetString() == "nova" && u.GetProperty("table").GetString() == "exception");
        Assert.Contains("NoValidHost", exceptions.GetProperty("identifiers").EnumerateArray().Select(i => i.GetString()));
        Assert.True(exceptions.GetProperty("count").GetInt32() >= exceptions.GetProperty("identifiers").GetArrayLength());
    }

    [Fact]
    public async Task Ticked_steps_are_saved_per_failure_and_show_on_the_instance_timeline()
    {
        var api = _factory.CreateApiClient();
        var result = await api.PostOkAsync("/api/v1/vm-events?cloud=ticks", Samples.Read("nova/server-fault-libvirt-error.json"));
        var record = result.GetProperty("records").EnumerateArray().First(r => r.GetProperty("category").GetString() != "none");
        var (id, instance, category) = (record.GetProperty("id").GetInt64(), record.GetProperty("instance").GetString()!, record.GetProperty("category").GetString()!);
        var step = RunbookMarkdownRenderer.Render(_factory.Services.GetRequiredService<RunbookLibrary>().Find(category)!.Markdown, null)
            .OfType<RunbookStep>().First();
        var progress = _factory.Services.GetRequiredService<RunbookProgress>();

        await progress.MarkAsync(instance, id, category, step, done: true, new OpsConsole.Features.Auth.Actor("operator@test.local", "127.0.0.1"), CancellationToken.None);
        await progress.MarkAsync(instance, id, category, step, done: false, new OpsConsole.Features.Auth.Actor("operator@test.local", "127.0.0.1"), CancellationToken.None);
        await progress.MarkAsync(instance, id, category, step, done: true, new OpsConsole.Features.Auth.Actor("operator@test.local", "127.0.0.1"), CancellationToken.None);

        Assert.True((await progress.StateAsync(instance, id, CancellationToken.None))[step.StepId].Done);
        Assert.Empty(await progress.StateAsync(instance, id + 100_000, CancellationToken.None));
        var timeline = await (await api.GetAsync($"/api/v1/instances/{Uri.EscapeDataString(instance)}/timeline")).ReadJsonAsync();
        var ticks = timeline.GetProperty("runbookSteps").EnumerateArray().ToList();
        Assert.Equal([true, false, true], ticks.Select(t => t.GetProperty("done").GetBoolean()).Reverse());
        Assert.All(ticks, t => Assert.Equal(step.Text, t.GetProperty("stepText").GetString()));
        Assert.All(ticks, t => Assert.Equal("operator@test.local", t.GetProperty("by").GetString()));
        var page = HtmlSafety.Parse(await (await _factory.SignedInClientAsync("Viewer")).GetStringAsync($"/runbooks/{category}?record={id}"));
        Assert.Contains("done", page.QuerySelector($".runbook-step[data-step='{step.StepId}']")!.ClassList);
    }

    [Fact]
    public async Task Local_runbooks_override_and_are_picked_up_without_a_restart()
    {
        var client = await _factory.SignedInClientAsync("Viewer");
        var before = await client.GetStringAsync("/runbooks/exit.abort");
        Assert.DoesNotContain("Site-specific abort handling", before);

        var file = Path.Combine(Fixture.LocalFolder, "site.md");
        await File.WriteAllTextAsync(file, """
            ---
            title: Our site
            owner: site-ops
            lastReviewed: 2026-11-01
            categories: [exit.abort]
            ---

            ## exit.abort — Site-specific abort handling

            - [ ] Page the owning team for `{{instance}}`.

            **Escalate** always.
            """);
        var overridden = HtmlSafety.Parse(await client.GetStringAsync("/runbooks/exit.abort"));
        Assert.Equal("Site-specific abort handling", overridden.QuerySelector(".runbook-title")!.TextContent.Trim());
        Assert.Contains("local runbook", overridden.QuerySelector(".runbook-meta")!.TextContent);

        await File.WriteAllTextAsync(file, (await File.ReadAllTextAsync(file)).Replace("Site-specific abort handling", "Edited abort handling"));
        File.SetLastWriteTimeUtc(file, DateTime.UtcNow.AddSeconds(5));
        var edited = HtmlSafety.Parse(await client.GetStringAsync("/runbooks/exit.abort"));
        Assert.Equal("Edited abort handling", edited.QuerySelector(".runbook-title")!.TextContent.Trim());

        File.Delete(file);
        var restored = HtmlSafety.Parse(await client.GetStringAsync("/runbooks/exit.abort"));
        Assert.DoesNotContain("local runbook", restored.QuerySelector(".runbook-meta")!.TextContent);
    }
}
