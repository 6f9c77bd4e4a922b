using OpsConsole.Features.Instances;
using OpsConsole.Features.Records;

namespace OpsConsole.Tests.Features.Instances;

public sealed class FailingViewTests
{
    [Fact]
    public void The_url_round_trips_and_leaves_out_empty_filters()
    {
        var view = FailingView.From(" container ", "exit", null, "", "docker", "1h", "api", includeMuted: true);

        Assert.Equal(new FailingView("container", "exit", null, null, "docker", "1h", "api", true), view);
        var query = view.ToQuery();
        Assert.Equal("container", query["kind"]);
        Assert.Null(query["category"]);
        Assert.Equal(true, query["muted"]);
        Assert.Null(new FailingView().ToQuery()["muted"]);
    }

    [Fact]
    public void Unknown_ranges_are_ignored_and_known_ones_become_a_since_time()
    {
        var now = DateTimeOffset.Parse("2026-11-23T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture);

        Assert.Null(FailingView.From(null, null, null, null, null, "forever", null, false).Range);
        Assert.Equal(now.AddHours(-6), new FailingView(Range: "6h").ToFilter(now).Since);
        Assert.Null(new FailingView().ToFilter(now).Since);
        Assert.False(new FailingView().IsFiltered);
        Assert.True(new FailingView(IncludeMuted: true).IsFiltered);
    }

    [Fact]
    public void An_absolute_range_round_trips_in_utc_and_replaces_the_relative_one()
    {
        var now = DateTimeOffset.Parse("2026-11-23T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture);

        var view = FailingView.From(null, null, null, null, null, "1h", null, false, "2026-11-20T08:00", "2026-11-20T12:30+01:00");

        Assert.Null(view.Range);
        Assert.Equal("2026-11-20T08:00", view.ToQuery()["from"]);
        Assert.Equal("2026-11-20T11:30", view.ToQuery()["to"]);
        var filter = view.ToFilter(now);
        Assert.Equal(DateTimeOffset.Parse("2026-11-20T08:00:00Z", System.Globalization.CultureInfo.InvariantCulture), filter.Since);
        Assert.Equal(DateTimeOffset.Parse("2026-11-20T11:30:00Z", System.Globalization.CultureInfo.InvariantCulture), filter.Until);
        Assert.Equal(view, FailingView.From(null, null, null, null, null, null, null, false, (string?)view.ToQuery()["from"], (string?)view.ToQuery()["to"]));
        Assert.True(view.IsFiltered);
    }

    [Theory]
    [InlineData("yesterday", null, null)]
    [InlineData("2026-13-45T99:00", "2026-11-20T08:00", "2026-11-20T08:00")]
    [InlineData("2026-11-21T00:00", "2026-11-20T00:00", null)]
    public void A_bad_bound_is_dropped_and_a_backwards_range_falls_back_to_the_relative_one(string from, string? to, string? keptTo)
    {
        var view = FailingView.From(null, null, null, null, null, "6h", null, false, from, to);

        var expected = keptTo is null ? new FailingView(Range: "6h") : new FailingView(RangeTo: FailingView.Time(keptTo));
        Assert.Equal(expected, view);
    }

    [Theory]
    [InlineData("k8s/prod/shop/api-7d9/api", "cluster prod · namespace shop · pod api-7d9 · container api")]
    [InlineData("nova/east/9e2c", "cloud east · server 9e2c")]
    [InlineData("maas/dc1/k7xq3p", "region dc1 · machine k7xq3p")]
    [InlineData("aos/u1/i1/s1/0", "unit u1 · item i1 · subject s1 · instance 0")]
    [InlineData("edge-fleet/prod/shop/checkout/api", "source edge-fleet · instance prod/shop/checkout/api")]
    public void Instance_keys_are_described_in_each_sources_terms(string key, string described) =>
        Assert.Equal(described, InstanceIdentity.Describe(InstanceIdentity.Read(stored: null, key)));

    [Fact]
    public void Instance_links_escape_each_segment_but_keep_the_slashes()
    {
        Assert.Equal("/instances/docker/host%201/web", InstanceLinks.Page("docker/host 1/web"));
        Assert.Equal("/runbooks/exit.abort?record=7", InstanceLinks.Runbook("exit.abort", 7));
    }
}
