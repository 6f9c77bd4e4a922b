using Bunit;
using OpsConsole.Sources.Nova;
using static OpsConsole.Tests.Features.Instances.Records;

namespace OpsConsole.Tests.Sources.Nova;

/// <summary>bUnit: a server's page links to the compute host it runs on, whose own reports may explain its failure.</summary>
public sealed class RequestTraceViewTests : BunitTest
{
    [Fact]
    public void A_server_links_to_the_compute_host_its_newest_record_names()
    {
        var records = NewestFirst(
            Dto("vm.compute.no-valid-host", 2, source: "nova", kind: "vm", instance: "nova/east/7d3f0b0e", location: "compute-7", requestId: "req-1", stage: "compute"),
            Dto("none", 1, source: "nova", kind: "vm", instance: "nova/east/7d3f0b0e", location: "compute-3", requestId: "req-1", stage: "api"));

        var view = Render<RequestTraceView>(p => p.Add(v => v.Records, records));

        var link = view.Find(".compute-host a");
        Assert.Equal("/instances/nova/east/host/compute-7", link.GetAttribute("href"));
        Assert.Equal("compute-7", link.TextContent.Trim());
    }

    [Fact]
    public void A_server_whose_records_name_no_host_has_no_host_link()
    {
        var view = Render<RequestTraceView>(p => p.Add(v => v.Records, NewestFirst(Dto("none", 1, source: "nova", kind: "vm", instance: "nova/east/abc"))));

        Assert.Empty(view.FindAll(".compute-host"));
    }

    [Fact]
    public void A_compute_host_has_no_request_trace()
    {
        var profile = new NovaProfile();

        Assert.Null(profile.InstanceView(profile.PartsFromKey("nova/east/host/compute-7")));
        Assert.Equal(typeof(RequestTraceView), profile.InstanceView(profile.PartsFromKey("nova/east/7d3f0b0e")));
    }
}
