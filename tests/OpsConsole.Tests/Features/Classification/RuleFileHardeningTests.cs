using System.Net;
using OpsConsole.Features.Classification;
using Microsoft.Extensions.DependencyInjection;

namespace OpsConsole.Tests.Features.Classification;

/// <summary>A careless rules edit: null and empty entries are refused by name, and never stop the console.</summary>
public sealed class RuleFileHardeningTests : IDisposable
{
    private static readonly (string Origin, string Yaml)[] ShippedFiles = [.. IncidentClassifier.ShippedRuleFiles()];
    private static readonly string Shipped = ShippedFiles.MaxBy(f => f.Yaml.Length).Yaml;
    private readonly string _rulesPath = Path.Combine(Path.GetTempPath(), $"opsconsole-rules-{Guid.NewGuid():n}.yaml");

    private const string GoodRule = "rules:\n  - id: ops-kill\n    category: exit.sigkill\n    severity: error\n    when: { source: [docker], entry: [kill] }\n";

    [Theory]
    [InlineData("rules:\n  -\n", "extra.yaml: rule #1 is empty")]
    [InlineData("rules:\n  - ~\n", "extra.yaml: rule #1 is empty")]
    [InlineData("rules:\n  - id: a\n    category: exit.app-error\n    severity: error\n    when: { source: [~] }", "extra.yaml: rule 'a' has an empty value in 'source'")]
    [InlineData("rules:\n  - id: a\n    category: exit.app-error\n    severity: error\n    when: { exitCode: [''] }", "extra.yaml: rule 'a' has an empty value in 'exitCode'")]
    public void Null_and_empty_entries_are_refused_naming_file_and_rule(string yaml, string expected)
    {
        var error = Assert.Throws<RuleValidationException>(() => RuleSet.Load([("extra.yaml", yaml)]));
        Assert.StartsWith(expected, error.Message);
    }

    [Theory]
    [InlineData("version: 1\nrules:\n")]
    [InlineData("")]
    [InlineData("rules: []\n")]
    public void An_operator_file_without_rules_loads_with_a_warning(string yaml)
    {
        var rules = RuleSet.Load([("extra.yaml", yaml), .. ShippedFiles]);
        Assert.Contains(rules.Warnings, w => w.StartsWith("extra.yaml: has no rules", StringComparison.Ordinal));
        Assert.All(rules.Warnings, w => Assert.StartsWith("extra.yaml", w, StringComparison.Ordinal));
    }

    [Fact]
    public void Random_truncations_and_nulls_of_valid_files_load_or_are_refused_by_name()
    {
        var random = new Random(1313);
        var sources = new[] { Shipped[..4000], GoodRule };
        for (var i = 0; i < 400; i++)
        {
            var text = sources[i % sources.Length];
            text = (i % 3) switch
            {
                0 => text[..random.Next(text.Length)],
                1 => NullOut(text, random),
                _ => NullOut(text[..random.Next(text.Length)], random),
            };
            try
            {
                RuleSet.Load([("fuzz.yaml", text)]);
            }
            catch (RuleValidationException ex)
            {
                Assert.StartsWith("fuzz.yaml:", ex.Message);
            }
        }
    }

    /// <summary>Replaces a random value (after a colon or a dash) with ~, an empty value or nothing.</summary>
    private static string NullOut(string text, Random random)
    {
        var lines = text.Split('\n');
        for (var n = 0; n < 3; n++)
        {
            var i = random.Next(lines.Length);
            var line = lines[i];
            var cut = Math.Max(line.IndexOf(": ", StringComparison.Ordinal), line.IndexOf("- ", StringComparison.Ordinal));
            if (cut < 0) continue;
            var replacement = random.Next(4) switch { 0 => "~", 1 => "''", 2 => "", _ => "[~]" };
            lines[i] = line[..(cut + 2)] + replacement;
        }
        return string.Join('\n', lines);
    }

    [Fact]
    public async Task A_bad_edit_keeps_the_rules_in_force_shows_on_readyz_and_reclassifies_nothing()
    {
        File.WriteAllText(_rulesPath, GoodRule);
        using var factory = new OpsConsoleFactory(new() { ["Classification:ExtraRulesPath"] = _rulesPath });
        var api = factory.CreateApiClient();
        var posted = await api.PostOkAsync("/api/v1/container-exits", Samples.Read("docker/event-kill-sigkill.json"));
        Assert.Equal("exit.sigkill", posted.GetProperty("records")[0].GetProperty("category").GetString());
        var version = factory.Services.GetRequiredService<IncidentClassifier>().Rules.Version;

        foreach (var bad in new[] { "version: 1\nrules:\n  -\n", "rules:\n  - id: x\n    category: exit.other\n    severity: error\n    when: { source: [~] }\n" })
        {
            File.WriteAllText(_rulesPath, bad);
            var start = await api.PostAsync("/api/v1/reclassify", null);
            Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);

            var ready = await factory.CreateClient().GetAsync("/readyz");
            var text = await ready.Content.ReadAsStringAsync();
            Assert.StartsWith("Degraded", text);
            Assert.Contains($"{_rulesPath}: rule", text);
            Assert.Equal(version, factory.Services.GetRequiredService<IncidentClassifier>().Rules.Version);
            Assert.Equal(0, factory.Scalar($"SELECT COUNT(*) FROM records WHERE RulesetVersion <> '{version}'"));
            var again = await api.PostOkAsync("/api/v1/container-exits", Samples.Read("docker/event-kill-sigkill.json"));
            Assert.Equal("exit.sigkill", again.GetProperty("records")[0].GetProperty("category").GetString());
        }

        File.WriteAllText(_rulesPath, GoodRule);
        await api.PostAsync("/api/v1/reclassify", null);
        Assert.Equal("Healthy", await factory.CreateClient().GetStringAsync("/readyz"));
    }

    [Fact]
    public void Start_up_with_a_null_rule_fails_naming_the_file_and_rule()
    {
        File.WriteAllText(_rulesPath, "version: 1\nrules:\n  - ~\n");
        using var factory = new OpsConsoleFactory(new() { ["Classification:ExtraRulesPath"] = _rulesPath });
        var error = Assert.ThrowsAny<Exception>(() => factory.CreateClient());
        var validation = error as RuleValidationException ?? error.InnerException as RuleValidationException;
        Assert.NotNull(validation);
        Assert.Equal($"{_rulesPath}: rule #1 is empty", validation.Message);
    }

    [Fact]
    public async Task An_empty_operator_file_is_a_warning_on_readyz()
    {
        File.WriteAllText(_rulesPath, "version: 1\nrules:\n");
        using var factory = new OpsConsoleFactory(new() { ["Classification:ExtraRulesPath"] = _rulesPath });
        var text = await factory.CreateClient().GetStringAsync("/readyz");
        Assert.StartsWith("Degraded", text);
        Assert.Contains($"{_rulesPath}: has no rules", text);
    }

    public void Dispose()
    {
        if (File.Exists(_rulesPath)) File.Delete(_rulesPath);
    }
}
