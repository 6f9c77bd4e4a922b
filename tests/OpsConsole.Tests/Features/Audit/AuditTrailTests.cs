using System.Net;
using System.Net.Http.Json;
using Microsoft.Data.Sqlite;

namespace OpsConsole.Tests.Features.Audit;

/// <summary>Every write lands in the audit trail with its user and address; the trail cannot be edited; the API filters it.</summary>
public sealed class AuditTrailTests : IClassFixture<OpsConsoleFactory>
{
    private readonly OpsConsoleFactory _factory;

    public AuditTrailTests(OpsConsoleFactory factory) => _factory = factory;

    [Fact]
    public async Task Acknowledge_mute_clear_and_sign_in_are_recorded_with_who_and_what()
    {
        var result = await _factory.CreateApiClient().PostOkAsync("/api/v1/container-exits?host=audit-host",
            """{"source":"docker","instance":"audited","exitCode":137,"reason":"OOMKilled"}""");
        var instance = result.GetProperty("records")[0].GetProperty("instance").GetString()!;
        var url = $"/api/v1/instances/{Uri.EscapeDataString(instance)}/acknowledgement";
        var operatorClient = await _factory.SignedInClientAsync("Operator");

        await operatorClient.PutAsJsonAsync(url, new { status = "acknowledged", note = "on it" });
        await operatorClient.PutAsJsonAsync(url, new { status = "muted", note = "maintenance", untilRecovered = true });
        Assert.Equal(HttpStatusCode.NoContent, (await operatorClient.DeleteAsync(url)).StatusCode);

        var entries = await (await _factory.CreateApiClient().GetAsync($"/api/v1/audit?target={Uri.EscapeDataString(instance)}")).ReadJsonAsync();
        var actions = entries.GetProperty("items").EnumerateArray().Select(e => (Action: e.GetProperty("action").GetString(), Actor: e.GetProperty("actor").GetString())).ToList();
        Assert.Equal([("instance.clear", "operator@test.local"), ("instance.mute", "operator@test.local"), ("instance.acknowledge", "operator@test.local")], actions);
        Assert.All(entries.GetProperty("items").EnumerateArray(), e => Assert.False(string.IsNullOrEmpty(e.GetProperty("at").GetString())));
        Assert.Equal(1, _factory.Scalar("SELECT COUNT(*) FROM audit_log WHERE Action = 'signin' AND Actor = 'operator@test.local'"));
    }

    [Fact]
    public void The_trail_is_append_only_in_the_database_itself()
    {
        _ = _factory.Services;
        using var connection = _factory.OpenDatabase();
        using var insert = connection.CreateCommand();
        insert.CommandText = "INSERT INTO audit_log (At, Actor, Action) VALUES (0, 'someone', 'signin')";
        insert.ExecuteNonQuery();

        foreach (var sql in new[] { "UPDATE audit_log SET Actor = 'someone else'", "DELETE FROM audit_log" })
        {
            using var command = connection.CreateCommand();
            command.CommandText = sql;
            var error = Assert.Throws<SqliteException>(() => command.ExecuteNonQuery());
            Assert.Contains("append-only", error.Message);
        }
    }

    [Fact]
    public async Task The_export_refuses_an_unknown_action_with_a_problem()
    {
        var response = await _factory.CreateApiClient().GetAsync("/api/v1/audit?action=everything");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("action", (await response.ReadJsonAsync()).GetProperty("field").GetString());
    }
}
