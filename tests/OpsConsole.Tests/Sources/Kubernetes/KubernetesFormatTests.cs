namespace OpsConsole.Tests.Sources.Kubernetes;

/// <summary>kubectl output through the container-exits endpoint.</summary>
public sealed class KubernetesFormatTests : IClassFixture<OpsConsoleFactory>
{
    private readonly OpsConsoleFactory _factory;

    public KubernetesFormatTests(OpsConsoleFactory factory) => _factory = factory;

    [Fact]
    public async Task Kubernetes_pod_fields_and_times_come_from_the_source()
    {
        var api = _factory.CreateApiClient();
        var result = await api.PostOkAsync("/api/v1/container-exits?cluster=aks-prod", Samples.Read("k8s/podlist-crashloop-oomkilled.json"));
        var records = await api.ReadRecordsAsync(result);

        var last = Assert.Single(records, r => r.GetProperty("entry").GetString() == "last-terminated");
        Assert.Equal("k8s/aks-prod/prod/inventory-799bc6c8f9-kvbzh/inventory", last.GetProperty("instance").GetString());
        Assert.Equal(137, last.GetProperty("exitCode").GetInt32());
        Assert.Equal("OOMKilled", last.GetProperty("reason").GetString());
        Assert.Equal(7, last.GetProperty("restartCount").GetInt32());
        Assert.Equal(DateTimeOffset.Parse("2025-06-23T08:19:39Z"), last.GetProperty("occurredAt").GetDateTimeOffset());
        Assert.Equal("aks-nodepool1-31718369-vmss000002", last.GetProperty("location").GetString());

        var waiting = Assert.Single(records, r => r.GetProperty("entry").GetString() == "waiting");
        Assert.Equal("CrashLoopBackOff", waiting.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task A_Job_failed_by_a_FailJob_rule_on_exit_codes_states_the_containers_exit_code()
    {
        const string events = """
            {"kind": "EventList", "apiVersion": "v1", "items": [
              {"metadata": {"name": "nightly.1", "namespace": "batch", "uid": "5b0e7c1a-2f3d-4e5a-8b6c-7d8e9f0a1b2c"},
               "involvedObject": {"kind": "Job", "namespace": "batch", "name": "nightly", "apiVersion": "batch/v1"},
               "reason": "PodFailurePolicy", "type": "Warning", "source": {"component": "job-controller"},
               "message": "Container main for pod batch/nightly-x7k2p failed with exit code 137 matching FailJob rule at index 2",
               "firstTimestamp": "2024-08-20T09:31:44Z", "lastTimestamp": "2024-08-20T09:31:44Z", "count": 1},
              {"metadata": {"name": "nightly.2", "namespace": "batch", "uid": "6c1f8d2b-3a4e-4f6b-9c7d-8e9f0a1b2c3d"},
               "involvedObject": {"kind": "Job", "namespace": "batch", "name": "weekly", "apiVersion": "batch/v1"},
               "reason": "PodFailurePolicy", "type": "Warning", "source": {"component": "job-controller"},
               "message": "Pod batch/weekly-q9w8e has condition DisruptionTarget matching FailJob rule at index 0",
               "firstTimestamp": "2024-08-20T09:35:10Z", "lastTimestamp": "2024-08-20T09:35:10Z", "count": 1}]}
            """;
        var api = _factory.CreateApiClient();
        var records = await api.ReadRecordsAsync(await api.PostOkAsync("/api/v1/container-exits?cluster=jobs", events));

        var byExit = Assert.Single(records, r => r.GetProperty("instance").GetString() == "k8s/jobs/batch/job/nightly");
        Assert.Equal(137, byExit.GetProperty("exitCode").GetInt32());
        Assert.Equal("exit.sigkill", byExit.GetProperty("category").GetString());
        // A rule on pod conditions names no exit code.
        var byCondition = Assert.Single(records, r => r.GetProperty("instance").GetString() == "k8s/jobs/batch/job/weekly");
        Assert.False(byCondition.TryGetProperty("exitCode", out var code) && code.ValueKind == System.Text.Json.JsonValueKind.Number);
    }

    [Fact]
    public async Task A_Job_states_how_it_ended_in_its_Failed_or_Complete_condition()
    {
        const string jobs = """
            {"apiVersion": "v1", "kind": "List", "items": [
              {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "migrate", "namespace": "shop"},
               "status": {"failed": 5, "conditions": [
                 {"type": "FailureTarget", "status": "True", "reason": "BackoffLimitExceeded", "message": "Job has reached the specified backoff limit", "lastTransitionTime": "2025-05-12T02:03:41Z"},
                 {"type": "Failed", "status": "True", "reason": "BackoffLimitExceeded", "message": "Job has reached the specified backoff limit", "lastTransitionTime": "2025-05-12T02:03:41Z"}]}},
              {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "warmup", "namespace": "shop"},
               "status": {"succeeded": 1, "conditions": [{"type": "Complete", "status": "True", "lastTransitionTime": "2025-05-12T03:00:41Z"}]}},
              {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "running", "namespace": "shop"}, "status": {"active": 1}}]}
            """;
        var api = _factory.CreateApiClient();
        var records = await api.ReadRecordsAsync(await api.PostOkAsync("/api/v1/container-exits?cluster=jobs", jobs));

        // One record per ending: FailureTarget is the controller's interim mark of the same failure.
        var failed = Assert.Single(records, r => r.GetProperty("instance").GetString() == "k8s/jobs/shop/job/migrate");
        Assert.Equal("BackoffLimitExceeded", failed.GetProperty("reason").GetString());
        Assert.Equal("restart.crash-loop", failed.GetProperty("category").GetString());
        Assert.Equal(DateTimeOffset.Parse("2025-05-12T02:03:41Z"), failed.GetProperty("occurredAt").GetDateTimeOffset());
        var complete = Assert.Single(records, r => r.GetProperty("instance").GetString() == "k8s/jobs/shop/job/warmup");
        Assert.Equal("none", complete.GetProperty("category").GetString());
        Assert.DoesNotContain(records, r => r.GetProperty("instance").GetString() == "k8s/jobs/shop/job/running");
    }
}
