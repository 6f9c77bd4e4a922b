namespace OpsConsole.Tests.Sources.Docker;

/// <summary>Docker events through the container-exits endpoint.</summary>
public sealed class DockerEventFormatTests : IClassFixture<OpsConsoleFactory>
{
    private readonly OpsConsoleFactory _factory;

    public DockerEventFormatTests(OpsConsoleFactory factory) => _factory = factory;

    [Fact]
    public async Task Docker_times_come_from_timeNano_and_exit_codes_from_string_attributes()
    {
        var api = _factory.CreateApiClient();
        var result = await api.PostOkAsync("/api/v1/container-exits?host=edge-7", Samples.Read("docker/events-oom-then-die.jsonl"), "application/x-ndjson");
        var die = Assert.Single(await api.ReadRecordsAsync(result), r => r.GetProperty("entry").GetString() == "die");
        Assert.Equal("docker/edge-7/shop-inventory-1", die.GetProperty("instance").GetString());
        Assert.Equal(137, die.GetProperty("exitCode").GetInt32());
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1750671579530), die.GetProperty("occurredAt").GetDateTimeOffset());
        Assert.Equal("oom-evidence", die.GetProperty("hints").GetString());
    }

    [Fact]
    public async Task Compose_events_json_lines_are_read_like_engine_events()
    {
        // docker compose events --json: lower-case keys, the engine's attributes, an RFC 3339 time (cmd/compose/events.go).
        const string lines = """
            {"action":"die","attributes":{"exitCode":"3","image":"acme/api:1.4","name":"shop-api-1"},"id":"5d1e0c9b8a7f6e5d4c3b2a1f0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d","service":"api","time":"2024-03-11T09:12:42.907112034+01:00","type":"container"}
            {"action":"health_status: unhealthy","attributes":{"image":"acme/api:1.4","name":"shop-api-1"},"id":"5d1e0c9b8a7f6e5d4c3b2a1f0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d","service":"api","time":"2024-03-11T09:13:02Z","type":"container"}
            """;
        var api = _factory.CreateApiClient();
        var records = await api.ReadRecordsAsync(await api.PostOkAsync("/api/v1/container-exits?host=compose-1", lines, "application/x-ndjson"));

        var die = Assert.Single(records, r => r.GetProperty("entry").GetString() == "die");
        Assert.Equal("docker/compose-1/shop-api-1", die.GetProperty("instance").GetString());
        Assert.Equal(3, die.GetProperty("exitCode").GetInt32());
        var health = Assert.Single(records, r => r.GetProperty("entry").GetString() == "health_status");
        Assert.Equal("container.probe-failed", health.GetProperty("category").GetString());
        Assert.Equal(new DateTimeOffset(2024, 3, 11, 9, 13, 2, TimeSpan.Zero), health.GetProperty("occurredAt").GetDateTimeOffset());
    }

    [Fact]
    public async Task Podmans_died_event_is_the_exit_and_its_containerExitCode_the_code()
    {
        // Podman's Docker-compatible API: 'died', and containerExitCode on every event (reset to 0 on the remove).
        const string lines = """
            {"status":"died","id":"2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f70819","Type":"container","Action":"died","Actor":{"ID":"2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f70819","Attributes":{"containerExitCode":"139","image":"quay.io/acme/agent:3","name":"agent"}},"scope":"local","time":1689235736,"timeNano":1689235736846535953}
            {"status":"remove","id":"2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f70819","Type":"container","Action":"remove","Actor":{"ID":"2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f70819","Attributes":{"containerExitCode":"0","image":"quay.io/acme/agent:3","name":"agent"}},"scope":"local","time":1689235736,"timeNano":1689235736905768245}
            """;
        var api = _factory.CreateApiClient();
        var records = await api.ReadRecordsAsync(await api.PostOkAsync("/api/v1/container-exits?host=podman-1", lines, "application/x-ndjson"));

        var died = Assert.Single(records, r => r.GetProperty("entry").GetString() == "die");
        Assert.Equal(139, died.GetProperty("exitCode").GetInt32());
        Assert.Equal("exit.segfault", died.GetProperty("category").GetString());
        var removed = Assert.Single(records, r => r.GetProperty("entry").GetString() == "remove");
        Assert.Equal("none", removed.GetProperty("category").GetString());
    }
}
