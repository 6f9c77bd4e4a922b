namespace OpsConsole.Tests.Features.Instances;

/// <summary>The home page as the server first renders it.</summary>
public sealed class FailingPageTests
{
    [Fact]
    public async Task An_empty_console_explains_how_to_send_records()
    {
        using var factory = new OpsConsoleFactory();

        var html = await (await factory.SignedInClientAsync("Viewer")).GetStringAsync("/");

        Assert.Contains("Nothing has been sent yet", html);
        Assert.Contains("api/v1/container-exits?cluster=prod -H &quot;X-Api-Key: $KEY&quot;", html);
    }

    [Fact]
    public async Task Filters_in_the_url_select_the_family_chip_and_counts_come_with_the_first_render()
    {
        using var factory = new OpsConsoleFactory();
        var api = factory.CreateApiClient();
        await api.PostOkAsync("/api/v1/container-exits?cluster=url", Samples.Read("k8s/pod-pending-unschedulable.json"));
        await api.PostOkAsync("/api/v1/vm-events?cloud=url", Samples.Read("nova/server-fault-no-valid-host.json"));

        var page = Runbooks.HtmlSafety.Parse(await (await factory.SignedInClientAsync("Viewer")).GetStringAsync("/?family=vm"));

        var vm = page.QuerySelector(".family-chip[data-family='vm']")!;
        Assert.Contains("mud-chip-filled", vm.ClassName);
        Assert.Contains("1", vm.TextContent);
        Assert.Contains("mud-chip-outlined", page.QuerySelector(".family-chip[data-family='container']")!.ClassName);
        Assert.Null(page.QuerySelector(".empty-console"));
    }

    [Fact]
    public async Task Grouped_rows_offer_bulk_and_row_acknowledgement_to_operators_only()
    {
        using var factory = new OpsConsoleFactory();
        await factory.CreateApiClient().PostOkAsync("/api/v1/vm-events?cloud=grouped", Samples.Read("nova/server-fault-no-valid-host.json"));

        var asViewer = Runbooks.HtmlSafety.Parse(await (await factory.SignedInClientAsync("Viewer")).GetStringAsync("/?group=category"));
        var asOperator = Runbooks.HtmlSafety.Parse(await (await factory.SignedInClientAsync("Operator")).GetStringAsync("/?group=category"));

        Assert.NotNull(asViewer.QuerySelector(".failing-group .group-row"));
        Assert.Null(asViewer.QuerySelector(".group-acknowledge"));
        Assert.Null(asViewer.QuerySelector(".failing-row .acknowledge"));
        Assert.DoesNotContain("acknowledge or mute it", asViewer.QuerySelector(".shortcut-help")!.TextContent);
        Assert.NotNull(asOperator.QuerySelector(".failing-group .group-acknowledge"));
        Assert.NotNull(asOperator.QuerySelector(".failing-row .acknowledge"));
        // The two icons fill their cell exactly; a space between them pushed the second out of sight.
        Assert.DoesNotMatch(@"</a>\s+<button", asOperator.QuerySelector(".failing-row .col-actions")!.InnerHtml);
        Assert.Contains("acknowledge or mute it", asOperator.QuerySelector(".shortcut-help")!.TextContent);
    }

    [Fact]
    public async Task An_absolute_range_in_the_url_lists_only_instances_last_failing_inside_it_and_a_bad_one_is_ignored()
    {
        using var factory = new OpsConsoleFactory();
        var api = factory.CreateApiClient();
        await api.PostOkAsync("/api/v1/container-exits",
            """
            [{"source": "batch", "instance": "range-early", "exitCode": 1, "message": "failed", "finishedAt": "2026-11-01T10:00:00Z"},
             {"source": "batch", "instance": "range-late", "exitCode": 1, "message": "failed", "finishedAt": "2026-11-10T10:00:00Z"}]
            """);

        var inside = Runbooks.HtmlSafety.Parse(await (await factory.SignedInClientAsync("Viewer")).GetStringAsync("/?from=2026-11-05T00:00&to=2026-11-15T00:00"));
        var names = inside.QuerySelectorAll(".failing-list .instance-link").Select(a => a.TextContent).ToList();
        Assert.Contains(names, n => n.Contains("range-late", StringComparison.Ordinal));
        Assert.DoesNotContain(names, n => n.Contains("range-early", StringComparison.Ordinal));
        Assert.Equal("2026-11-05T00:00", inside.QuerySelector(".filter-from input")!.GetAttribute("value"));

        foreach (var bad in new[] { "/?from=not-a-time&to=2026-99-99", "/?from=2026-11-15T00:00&to=2026-11-05T00:00", "/?from=%00&range=forever" })
        {
            var response = await (await factory.SignedInClientAsync("Viewer")).GetAsync(bad);
            Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
            var page = Runbooks.HtmlSafety.Parse(await response.Content.ReadAsStringAsync());
            Assert.Equal(2, page.QuerySelectorAll(".failing-list .instance-link").Count(a => a.TextContent.Contains("range-", StringComparison.Ordinal)));
        }

        var problem = await api.GetAsync("/api/v1/instances/failing?until=soon");
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, problem.StatusCode);
        Assert.Equal("application/problem+json", problem.Content.Headers.ContentType?.MediaType);
        var failing = await (await api.GetAsync("/api/v1/instances/failing?since=2026-11-05T00:00:00Z&until=2026-11-15T00:00:00Z")).Content.ReadAsStringAsync();
        Assert.Contains("range-late", failing);
        Assert.DoesNotContain("range-early", failing);
    }
}
