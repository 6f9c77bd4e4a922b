using System.Text.Json;
using OpsConsole.Features.Classification;

namespace OpsConsole.Tests.Features.Classification;

public sealed class ExtraRulesTests : IDisposable
{
    private readonly string _rulesPath = Path.Combine(Path.GetTempPath(), $"opsconsole-rules-{Guid.NewGuid():n}.yaml");

    [Fact]
    public async Task Operator_rules_take_precedence_over_the_shipped_ones()
    {
        File.WriteAllText(_rulesPath, """
            rules:
              - id: ops-docker-kill-is-sigkill
                category: exit.sigkill
                severity: warning
                description: We never kill containers by hand; a SIGKILL is worth a look.
                when: { source: [docker], entry: [kill], signal: ['9'] }
            """);
        using var factory = new OpsConsoleFactory(new() { ["Classification:ExtraRulesPath"] = _rulesPath });

        var result = await factory.CreateApiClient().PostOkAsync("/api/v1/container-exits", Samples.Read("docker/event-kill-sigkill.json"));
        var record = result.GetProperty("records")[0];
        Assert.Equal("exit.sigkill", record.GetProperty("category").GetString());
        var stored = await (await factory.CreateApiClient().GetAsync($"/api/v1/records/{record.GetProperty("id").GetInt64()}")).ReadJsonAsync();
        Assert.Equal("ops-docker-kill-is-sigkill", stored.GetProperty("ruleId").GetString());
        Assert.Equal("entry=kill; signal=9", stored.GetProperty("evidence").GetString());
    }

    [Fact]
    public void A_bad_rules_file_stops_start_up_naming_the_rule()
    {
        File.WriteAllText(_rulesPath, "rules:\n  - id: broken\n    category: exit.nope\n    severity: error\n    when: { exitCode: [1] }\n");
        using var factory = new OpsConsoleFactory(new() { ["Classification:ExtraRulesPath"] = _rulesPath });
        var error = Assert.ThrowsAny<Exception>(() => factory.CreateClient());
        var validation = error as RuleValidationException ?? error.InnerException as RuleValidationException;
        Assert.NotNull(validation);
        Assert.Contains($"{_rulesPath}: rule 'broken' names category 'exit.nope'", validation.Message);
    }

    [Fact]
    public async Task After_a_rule_change_stored_records_are_reclassified_and_instance_states_follow()
    {
        File.WriteAllText(_rulesPath, "rules: []\n");
        using var factory = new OpsConsoleFactory(new() { ["Classification:ExtraRulesPath"] = _rulesPath });
        var api = factory.CreateApiClient();
        var posted = await api.PostOkAsync("/api/v1/container-exits", Samples.Read("docker/event-kill-sigkill.json"));
        var id = posted.GetProperty("records")[0].GetProperty("id").GetInt64();
        Assert.Equal("none", posted.GetProperty("records")[0].GetProperty("category").GetString());
        var oldVersion = (await (await api.GetAsync($"/api/v1/records/{id}")).ReadJsonAsync()).GetProperty("rulesetVersion").GetString();

        File.WriteAllText(_rulesPath, """
            rules:
              - id: ops-kill
                category: exit.sigkill
                severity: error
                when: { source: [docker], entry: [kill] }
            """);
        var start = await api.PostAsync("/api/v1/reclassify", null);
        Assert.Equal(System.Net.HttpStatusCode.Accepted, start.StatusCode);

        JsonElement progress = default;
        for (var i = 0; i < 100; i++)
        {
            progress = await (await api.GetAsync("/api/v1/reclassify")).ReadJsonAsync();
            if (progress.GetProperty("state").GetString() == "done") break;
            await Task.Delay(100);
        }
        Assert.Equal("done", progress.GetProperty("state").GetString());
        Assert.True(progress.GetProperty("changed").GetInt64() >= 1);

        var record = await (await api.GetAsync($"/api/v1/records/{id}")).ReadJsonAsync();
        Assert.Equal("exit.sigkill", record.GetProperty("category").GetString());
        Assert.Equal("ops-kill", record.GetProperty("ruleId").GetString());
        Assert.NotEqual(oldVersion, record.GetProperty("rulesetVersion").GetString());
        Assert.Equal(0, factory.Scalar($"SELECT COUNT(*) FROM records WHERE RulesetVersion = '{oldVersion}'"));

        var failing = await (await api.GetAsync("/api/v1/instances/failing?category=exit.sigkill")).ReadJsonAsync();
        Assert.Contains(failing.GetProperty("items").EnumerateArray(), i => i.GetProperty("instance").GetString() == "docker/local/orders-db");
    }

    public void Dispose()
    {
        if (File.Exists(_rulesPath)) File.Delete(_rulesPath);
    }
}
