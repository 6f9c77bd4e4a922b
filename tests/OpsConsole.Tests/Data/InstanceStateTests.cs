namespace OpsConsole.Tests.Data;

/// <summary>An instance's state is its worst active condition: a milder failure after a worse one does not hide it; running again ends it.</summary>
public abstract class InstanceStateTests<TFactory> : IClassFixture<TFactory> where TFactory : OpsConsoleFactory
{
    private readonly TFactory _factory;

    protected InstanceStateTests(TFactory factory) => _factory = factory;

    private static string Event(string action, long time, string? exitCode = null)
    {
        var exit = exitCode is null ? "" : $",\"exitCode\":\"{exitCode}\"";
        return $$$"""{"Type":"container","Action":"{{{action}}}","Actor":{"ID":"c0ffee{{{time}}}","Attributes":{"name":"worst-state"{{{exit}}}}},"scope":"local","time":{{{time}}}}""";
    }

    private async Task<(string Category, bool Failing)> StateAsync()
    {
        var api = _factory.CreateApiClient();
        var page = await (await api.GetAsync("/api/v1/instances/failing?search=worst-state&includeMuted=true")).ReadJsonAsync();
        var row = page.GetProperty("items").EnumerateArray().SingleOrDefault();
        return row.ValueKind == System.Text.Json.JsonValueKind.Undefined ? ("", false) : (row.GetProperty("category").GetString()!, true);
    }

    [Fact]
    public async Task A_newer_milder_failure_does_not_hide_a_worse_active_one_and_running_again_ends_it()
    {
        var api = _factory.CreateApiClient();
        const string host = "/api/v1/container-exits?host=state-host";
        await api.PostOkAsync(host, Event("die", 1_750_000_000, exitCode: "1"));
        Assert.Equal(("exit.app-error", true), await StateAsync());

        // A health-check warning a minute later is a milder failure: the exit stays the instance's state.
        await api.PostOkAsync(host, Event("health_status: unhealthy", 1_750_000_060));
        Assert.Equal(("exit.app-error", true), await StateAsync());

        // The container starting again ends the condition.
        await api.PostOkAsync(host, Event("start", 1_750_000_120));
        Assert.Equal(("", false), await StateAsync());

        // After recovery the next failure is current whatever its severity.
        await api.PostOkAsync(host, Event("health_status: unhealthy", 1_750_000_180));
        Assert.Equal(("container.probe-failed", true), await StateAsync());
    }
}

public sealed class InstanceStateTests(OpsConsoleFactory factory) : InstanceStateTests<OpsConsoleFactory>(factory);

public sealed class PostgresInstanceStateTests(OpsConsole.Tests.Data.Postgres.PostgresConsoleFactory factory) : InstanceStateTests<OpsConsole.Tests.Data.Postgres.PostgresConsoleFactory>(factory);
