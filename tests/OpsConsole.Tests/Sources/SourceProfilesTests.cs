using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OpsConsole.Data;
using OpsConsole.Features.Classification;
using OpsConsole.Features.Ingestion.Parsing;
using OpsConsole.Features.Records;
using OpsConsole.Sources;
using OpsConsole.Tests.Infrastructure;

namespace OpsConsole.Tests.Sources;

/// <summary>The registration list, the identity parts captured at parse time, and features that name no source.</summary>
public sealed partial class SourceProfilesTests : IClassFixture<OpsConsoleFactory>
{
    private readonly OpsConsoleFactory _factory;

    public SourceProfilesTests(OpsConsoleFactory factory) => _factory = factory;

    [Fact]
    public void No_file_outside_the_source_folders_names_a_source()
    {
        var src = Path.Combine(Repository.Root, "src", "OpsConsole");
        var sources = Path.Combine(src, "Sources") + Path.DirectorySeparatorChar;
        var naming = Directory.EnumerateFiles(src, "*.*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".cs", StringComparison.Ordinal) || f.EndsWith(".razor", StringComparison.Ordinal))
            .Where(f => !f.StartsWith(sources, StringComparison.Ordinal) && !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Where(f => SourceName().IsMatch(File.ReadAllText(f)))
            .Select(f => Path.GetRelativePath(src, f))
            .ToList();
        Assert.Empty(naming);
    }

    [Fact]
    public void Every_parsed_sample_record_stores_its_named_parts_and_old_rows_read_the_same_from_the_key()
    {
        var checkedRecords = 0;
        foreach (var (file, label) in Samples.Labels)
        {
            var kind = label.Endpoint switch { "unit-status" => PayloadFormats.Unit, "vm-events" => PayloadFormats.Vm, _ => PayloadFormats.Container };
            var context = new ParseContext(kind, DateTimeOffset.UtcNow, _ => null);
            using var items = PayloadReader.Split(File.ReadAllBytes(Path.Combine(Samples.Root, file)), label.ContentType.Contains("ndjson", StringComparison.Ordinal), 10_000);
            PayloadFormats.Parse(kind, items, null, context);
            foreach (var record in context.Records)
            {
                var stored = InstanceIdentity.Read(record.Identity, record.InstanceKey);
                Assert.NotNull(record.Identity);
                Assert.NotEmpty(stored);
                Assert.Equal(record.Parts, stored);
                Assert.Equal(InstanceIdentity.Describe(InstanceIdentity.Read(stored: null, record.InstanceKey)), InstanceIdentity.Describe(stored));
                checkedRecords++;
            }
        }
        Assert.True(checkedRecords > 50, $"only {checkedRecords} records parsed");
    }

    [Fact]
    public async Task Ingested_parts_are_stored_on_the_record_and_the_instance_state()
    {
        await _factory.CreateApiClient().PostOkAsync("/api/v1/container-exits?cluster=parts-prod", Samples.Read("k8s/podlist-crashloop-oomkilled.json"));

        const string key = "k8s/parts-prod/prod/inventory-799bc6c8f9-kvbzh/inventory";
        await using var db = await _factory.Services.GetRequiredService<IDbContextFactory<OpsDbContext>>().CreateDbContextAsync();
        var state = await db.InstanceStates.SingleAsync(s => s.InstanceKey == key);
        Assert.Equal("""{"cluster":"parts-prod","namespace":"prod","pod":"inventory-799bc6c8f9-kvbzh","container":"inventory"}""", state.Identity);
        Assert.Equal("cluster parts-prod · namespace prod · pod inventory-799bc6c8f9-kvbzh · container inventory", state.ToIdentity().Describe());
        Assert.All(await db.Records.Where(r => r.InstanceKey == key).Select(r => r.Identity).ToListAsync(), identity => Assert.Equal(state.Identity, identity));
    }

    [Fact]
    public void Payload_shapes_and_rule_files_follow_the_registration_list()
    {
        Assert.Equal(["kubernetes", "docker", "docker-inspect", "container-apps", "simple"], SourceProfiles.FormatsFor(PayloadFormats.Container).Select(f => f.Name));
        Assert.Equal(["nova", "maas", "simple"], SourceProfiles.FormatsFor(PayloadFormats.Vm).Select(f => f.Name));

        var files = SourceProfiles.RulesFiles;
        Assert.Equal("Sources/Aos/rules.yaml", files[0]);
        Assert.Equal("Sources/healthy.rules.yaml", files[^1]);
        Assert.True(files.ToList().IndexOf("Sources/Containers/rules.yaml") < files.ToList().IndexOf("Sources/Docker/fallback.rules.yaml"));
        Assert.All(files, f => Assert.True(File.Exists(Path.Combine(AppContext.BaseDirectory, f)), f));
        // Every rule id is unique across the files, or loading would throw.
        Assert.NotEmpty(RuleSet.Load(IncidentClassifier.ShippedRuleFiles()).Categories);
    }

    [Fact]
    public void A_sender_the_console_does_not_know_gets_the_simple_shape_of_its_kind()
    {
        Assert.Equal(PayloadFormats.Vm, SourceProfiles.For("edge-orchestrator", PayloadFormats.Vm).Kind);
        Assert.Equal("", SourceProfiles.For("edge-orchestrator", PayloadFormats.Container).Source);
        Assert.Equal("aos", SourceProfiles.For("aos", PayloadFormats.Unit).Source);
        Assert.Equal("edge-fleet", SourceProfiles.For("edge-fleet", PayloadFormats.Container).OriginOf(InstanceIdentity.Read(null, "edge-fleet/prod/api"), "edge-fleet"));
    }

    [GeneratedRegex("\"(aos|k8s|aca|docker|nova|maas|kubernetes|container-apps)\"")]
    private static partial Regex SourceName();
}
