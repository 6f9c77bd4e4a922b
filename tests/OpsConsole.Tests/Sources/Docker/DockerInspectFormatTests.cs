using System.Text.Json;
using OpsConsole.Sources.Docker;

namespace OpsConsole.Tests.Sources.Docker;

/// <summary><c>docker inspect</c> output through the container-exits endpoint.</summary>
public sealed class DockerInspectFormatTests : IClassFixture<OpsConsoleFactory>
{
    private const string Inspected = """
        [{"Id": "5b1c8e0a9f3d27c4e6b8a1d0f2c4e6a8b0d2f4a6c8e0b2d4f6a8c0e2b4d6f8a0", "Name": "/worker",
          "State": {"Status": "running", "Running": true, "OOMKilled": false, "ExitCode": 137, "Error": "",
                    "StartedAt": "2024-05-02T10:00:00Z", "FinishedAt": "0001-01-01T00:00:00Z",
                    "Health": {"Status": "unhealthy", "FailingStreak": 4,
                               "Log": [{"Start": "2024-05-02T10:05:00Z", "End": "2024-05-02T10:05:01Z", "ExitCode": 1, "Output": "curl: (7) Failed to connect\n"}]}}},
         {"Id": "9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b", "Name": "/batch",
          "State": {"Status": "exited", "Running": false, "OOMKilled": true, "ExitCode": 137, "Error": "",
                    "StartedAt": "2024-05-02T09:00:00Z", "FinishedAt": "2024-05-02T09:30:00Z"}}]
        """;

    private readonly OpsConsoleFactory _factory;

    public DockerInspectFormatTests(OpsConsoleFactory factory) => _factory = factory;

    [Fact]
    public async Task A_running_container_states_its_health_and_an_exited_one_its_exit()
    {
        var api = _factory.CreateApiClient();
        var result = await api.PostOkAsync("/api/v1/container-exits?host=edge-9", Inspected);
        var records = await api.ReadRecordsAsync(result);

        var running = Assert.Single(records, r => r.GetProperty("instance").GetString() == "docker/edge-9/worker" && r.GetProperty("entry").GetString() == "state");
        // The ExitCode of a running container is left from before it started: no exit is recorded for it.
        Assert.Equal("none", running.GetProperty("category").GetString());
        var health = Assert.Single(records, r => r.GetProperty("entry").GetString() == "health_status");
        Assert.Equal("container.probe-failed", health.GetProperty("category").GetString());
        Assert.Equal(new DateTimeOffset(2024, 5, 2, 10, 5, 1, TimeSpan.Zero), health.GetProperty("occurredAt").GetDateTimeOffset());

        var exited = Assert.Single(records, r => r.GetProperty("instance").GetString() == "docker/edge-9/batch");
        Assert.Equal(137, exited.GetProperty("exitCode").GetInt32());
        Assert.Equal("exit.oom-killed", exited.GetProperty("category").GetString());
        Assert.Equal(new DateTimeOffset(2024, 5, 2, 9, 30, 0, TimeSpan.Zero), exited.GetProperty("occurredAt").GetDateTimeOffset());
    }

    [Fact]
    public async Task Only_a_start_error_the_daemon_kept_in_State_Error_marks_an_exit_128_as_a_failed_start()
    {
        const string inspected = """
            [{"Id": "1f2e3d4c5b6a79881f2e3d4c5b6a79881f2e3d4c5b6a79881f2e3d4c5b6a7988", "Name": "/never-started",
              "State": {"Status": "created", "Running": false, "ExitCode": 128,
                        "Error": "driver failed programming external connectivity: Bind for 0.0.0.0:80 failed: port is already allocated",
                        "StartedAt": "0001-01-01T00:00:00Z", "FinishedAt": "0001-01-01T00:00:00Z"}},
             {"Id": "8877665544332211887766554433221188776655443322118877665544332211", "Name": "/exits-128",
              "State": {"Status": "exited", "Running": false, "ExitCode": 128, "Error": "",
                        "StartedAt": "2024-05-02T09:00:00Z", "FinishedAt": "2024-05-02T09:00:05Z"}}]
            """;
        var api = _factory.CreateApiClient();
        var records = await api.ReadRecordsAsync(await api.PostOkAsync("/api/v1/container-exits?host=edge-128", inspected));

        var failedStart = Assert.Single(records, r => r.GetProperty("instance").GetString() == "docker/edge-128/never-started");
        Assert.Equal(DockerProfile.StartErrorHint, failedStart.GetProperty("hints").GetString());
        Assert.Equal("exit.run-command", failedStart.GetProperty("category").GetString());
        Assert.Equal("docker-start-failed-128", failedStart.GetProperty("ruleId").GetString());

        // The process itself exited 128: no start error, whatever the record's message says.
        var exited = Assert.Single(records, r => r.GetProperty("instance").GetString() == "docker/edge-128/exits-128");
        Assert.Equal(JsonValueKind.Null, exited.TryGetProperty("hints", out var hints) ? hints.ValueKind : JsonValueKind.Null);
        Assert.Equal("exit.invalid-exit-argument", exited.GetProperty("category").GetString());
    }
}
