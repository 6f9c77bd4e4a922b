using System.Net;

namespace OpsConsole.Tests.Features.Ingestion;

/// <summary>Accepted but wrong no more: every item either gets a real identity or a 400 naming item and field.</summary>
public sealed class IdentityTests : IClassFixture<OpsConsoleFactory>
{
    private readonly OpsConsoleFactory _factory;

    public IdentityTests(OpsConsoleFactory factory) => _factory = factory;

    private const string Pod = """{"kind":"Pod","metadata":{"name":"api-1","namespace":"shop"},"status":{"phase":"Running","containerStatuses":[{"name":"app","restartCount":0,"state":{"running":{"startedAt":"2026-01-01T00:00:00Z"}}}]}}""";

    [Theory]
    [InlineData("/api/v1/container-exits", """{"kind":"PodList","items":[""" + Pod + """,{"kind":"Deployment","metadata":{"name":"d"}}]}""", 1, "items[1].kind")]
    [InlineData("/api/v1/container-exits", """{"kind":"Pod","metadata":{"name":"api-1"},"status":{"foo":"bar"}}""", 0, "status.phase")]
    [InlineData("/api/v1/container-exits", """{"kind":"Pod","metadata":{"name":"api-1"}}""", 0, "status")]
    [InlineData("/api/v1/container-exits", """{"kind":"Pod","metadata":{"name":"api\u0000-1"},"status":{"phase":"Running"}}""", 0, "metadata.name")]
    [InlineData("/api/v1/container-exits", """{"kind":"Event","involvedObject":{"kind":"Pod","name":"api-1","namespace":"shop","fieldPath":1e308},"reason":"BackOff","type":"Warning","firstTimestamp":"2026-01-01T00:00:00Z"}""", 0, "involvedObject.fieldPath")]
    [InlineData("/api/v1/container-exits", """{"Type":"container","Action":7,"Actor":{"ID":"a1","Attributes":{"name":"x"}},"time":1750672001}""", 0, "Action")]
    [InlineData("/api/v1/container-exits", """{"tables":[{"name":"PrimaryResult","columns":[{"name":"TimeGenerated","type":"datetime"},{"name":"ContainerAppName","type":"string"},{"name":"Reason","type":"string"},{"name":"Log","type":"string"}],"rows":[["2026-01-01T00:00:00Z","orders","ContainerTerminated","exit 1"]]}]}""", 0, "RevisionName")]
    [InlineData("/api/v1/unit-status", """{"header":{"version":7,"systemId":"u1","createdAt":"2026-01-01T00:00:00Z"},"data":{"messageType":"unitStatus","isDeltaInfo":true,"instances":[{"item":{"id":"svc-1","type":"service"},"version":"1.0","instances":[{"instance":0,"state":"failed"}]}]}}""", 0, "subject.id")]
    [InlineData("/api/v1/unit-status", """{"header":{"version":7,"systemId":"u1","createdAt":"2026-01-01T00:00:00Z"},"data":{"messageType":"unitStatus","isDeltaInfo":true,"instances":[{"item":{"id":"","type":"service"},"subject":{"id":"s1"},"version":"1.0","instances":[{"instance":0,"state":"failed"}]}]}}""", 0, "item.id")]
    public async Task Items_without_a_real_identity_are_a_400_naming_item_and_field(string url, string body, int item, string field)
    {
        var response = await _factory.CreateApiClient().PostJsonTextAsync(url, body);
        var problem = await response.ReadJsonAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, problem.ToString());
        Assert.Equal(item, problem.GetProperty("item").GetInt32());
        Assert.EndsWith(field, problem.GetProperty("field").GetString());
    }

    [Fact]
    public async Task Container_Apps_rows_of_the_app_itself_do_not_refuse_the_query_output_they_come_in()
    {
        // As `az containerapp logs show --type system --format json` prints them: the app controller's rows carry an empty revision.
        const string body = """
            [{"TimeStamp":"2026-06-22 02:24:20 +0000 UTC","Type":"Normal","ContainerAppName":"orders","RevisionName":"","ReplicaName":"","Msg":"Successfully updated containerApp: orders","Reason":"ContainerAppReady","EventSource":"ContainerAppController","Count":3},
             {"TimeStamp":"2026-06-22 02:24:25 +0000 UTC","Type":"Warning","ContainerAppName":"orders","RevisionName":"orders--5487avi","ReplicaName":"orders--5487avi-6d9c-x2","Msg":"Container 'orders' was terminated with exit code '1' and reason 'ProcessExited'","Reason":"ContainerTerminated","EventSource":"ContainerAppController","Count":1}]
            """;
        var result = await _factory.CreateApiClient().PostOkAsync("/api/v1/container-exits", body);
        Assert.Equal("aca/orders/orders--5487avi", Assert.Single(result.GetProperty("records").EnumerateArray()).GetProperty("instance").GetString());
    }

    [Fact]
    public async Task A_Container_Apps_warning_without_a_revision_is_still_a_400_naming_the_field()
    {
        const string body = """[{"TimeStamp":"2026-06-22 02:24:20 +0000 UTC","Type":"Warning","ContainerAppName":"orders","RevisionName":"","Msg":"exit code '1'","Reason":"ContainerTerminated"}]""";
        var response = await _factory.CreateApiClient().PostJsonTextAsync("/api/v1/container-exits", body);
        var problem = await response.ReadJsonAsync();
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.EndsWith("RevisionName", problem.GetProperty("field").GetString());
    }

    [Fact]
    public async Task A_mixed_list_still_skips_objects_that_state_no_container_failure()
    {
        var body = """{"kind":"List","items":[""" + Pod + """,{"kind":"Deployment","metadata":{"name":"d"}}]}""";
        var result = await _factory.CreateApiClient().PostOkAsync("/api/v1/container-exits?cluster=mixed", body);
        Assert.Equal("k8s/mixed/shop/api-1/app", Assert.Single(result.GetProperty("records").EnumerateArray()).GetProperty("instance").GetString());
    }
}
