using Microsoft.Extensions.DependencyInjection;
using OpsConsole.Features.Instances;
using OpsConsole.Features.Records;

namespace OpsConsole.Tests.Features.Instances;

/// <summary>Grouping the failing list by location reads the stored identity parts through the source's profile, never the key.</summary>
public sealed class FailingGroupsTests
{
    [Fact]
    public void The_location_comes_from_the_stored_parts_even_where_the_key_would_split_wrongly()
    {
        IReadOnlyList<IdentityPart> pod = [new("cluster", "eu/west"), new("namespace", "shop"), new("pod", "api-7d9"), new("container", "api")];
        Assert.Equal(("kubernetes/eu/west", "cluster eu/west (kubernetes)"), FailingGroups.LocationOf("kubernetes", "container", pod));

        IReadOnlyList<IdentityPart> sender = [new("source", "edge-fleet"), new("instance", "prod/shop/api")];
        Assert.Equal(("edge-fleet", "edge-fleet"), FailingGroups.LocationOf("edge-fleet", "container", sender));

        IReadOnlyList<IdentityPart> project = [new("cloud", "east"), new("project", "p-42")];
        Assert.Equal(("nova/east", "cloud east (nova)"), FailingGroups.LocationOf("nova", "vm", project));
    }

    [Fact]
    public async Task Groups_by_location_over_ingested_instances()
    {
        using var factory = new OpsConsoleFactory();
        var api = factory.CreateApiClient();
        await api.PostOkAsync("/api/v1/container-exits?cluster=groups-prod", Samples.Read("k8s/podlist-crashloop-oomkilled.json"));
        await api.PostOkAsync("/api/v1/vm-events?cloud=groups-east", Samples.Read("nova/server-fault-no-valid-host.json"));
        await api.PostOkAsync("/api/v1/container-exits",
            """{"source": "groups-batch", "instance": "nightly/etl/loader", "exitCode": 1, "message": "failed"}""");

        var groups = await factory.Services.GetRequiredService<FailingGroups>().ListAsync(new FailingFilter(), FailingGrouping.Location, CancellationToken.None);

        var byKey = groups.ToDictionary(g => g.Key);
        Assert.Equal("cluster groups-prod (kubernetes)", byKey["kubernetes/groups-prod"].Label);
        Assert.Equal("cloud groups-east (nova)", byKey["nova/groups-east"].Label);
        Assert.Equal("groups-batch", byKey["groups-batch"].Label);
        Assert.All(byKey["kubernetes/groups-prod"].Instances, key => Assert.StartsWith("k8s/groups-prod/", key));
        Assert.Equal(groups.Sum(g => g.Count), groups.SelectMany(g => g.Instances).Distinct().Count());
    }
}
