using OpsConsole.Features.Classification;
using OpsConsole.Features.Classification.Vocabulary;
using OpsConsole.Features.Records;

namespace OpsConsole.Tests.Features.Classification;

public sealed class ExactGroupTests
{
    private static EventRecord Record(string? reason = null, string? state = null, string? message = null, int? exitCode = null) => new()
    {
        Kind = "container", Source = "test", Format = "test", Entry = "event", InstanceKey = "k", InstanceName = "n", DedupeKey = "d", RawJson = "{}",
        Reason = reason, State = state, Message = message, ExitCode = exitCode,
    };

    private static VocabularyTable Table(string name, string lookIn, params string[] identifiers) =>
        SourceVocabulary.Load("test.vocabulary.yaml", $"""
            source: test
            tables:
              - name: {name}
                match: exact
                lookIn: [{lookIn}]
                entries:
            {string.Concat(identifiers.Select(i => $"      \"{i}\": {{category: container.config-error, severity: error}}\n"))}
            """).Tables[0];

    /// <summary>What the group left in the scan for each table, as (field, value, identifier) or null.</summary>
    private static List<(string Field, string Value, string Identifier)?> Search(VocabularySlot[] slots, EventRecord record)
    {
        var group = ExactGroup.For(slots)!;
        var scan = VocabularyScan.Start(slots.Length);
        group.Search(record, scan);
        return [.. slots.Select(s => scan.TryMatch(s, record, null, null, out var m) ? (m.Field, m.Value, m.Entry.Identifier) : ((string, string, string)?)null)];
    }

    [Fact]
    public void Each_table_gets_the_first_of_its_own_fields_that_holds_one_of_its_identifiers()
    {
        VocabularySlot[] slots =
        [
            new("test", Table("reasons", "reason, state", "BackOff", "Evicted"), 0),
            new("test", Table("states", "state, reason", "evicted", "NoValidHost"), 1),
            new("test", Table("codes", "exitCode", "137"), 2),
        ];

        // One identifier in two tables (in different case): each table answers from its own field order.
        var found = Search(slots, Record(reason: " EVICTED ", state: "backoff", exitCode: 137));
        Assert.Equal(("reason", " EVICTED ", "Evicted"), found[0]);
        Assert.Equal(("reason", " EVICTED ", "evicted"), found[1]);
        Assert.Equal(("exitCode", "137", "137"), found[2]);

        // A qualified class name matches by its last part, but only where the whole value does not, and never with a space.
        found = Search(slots, Record(reason: "nova.exception.NoValidHost", state: "a b.NoValidHost"));
        Assert.Null(found[0]);
        Assert.Equal(("reason", "nova.exception.NoValidHost", "NoValidHost"), found[1]);
        Assert.Null(found[2]);
    }

    /// <summary>
    /// Every shipped exact table of a source, grouped as classification groups them, over every corpus and sample
    /// record and every known text in each field they read: the group finds what each table's own lookup finds.
    /// </summary>
    [Fact]
    public void The_shipped_exact_tables_find_together_what_each_finds_alone()
    {
        var rules = RuleSet.Load(IncidentClassifier.ShippedRuleFiles());
        var index = 0;
        var plans = rules.Vocabularies.GroupBy(v => v.Kinds is null ? v.Source : string.Join(",", v.Kinds))
            .Select(g => g.SelectMany(v => v.Tables.Select(t => new VocabularySlot(v.Source, t, index++))).ToArray()).ToList();
        var identifiers = rules.Vocabularies.SelectMany(v => v.Tables).Where(t => t.IsExact).SelectMany(t => t.Entries).Select(e => e.Identifier).ToList();
        var records = identifiers.SelectMany(i => new[]
        {
            Record(reason: i, state: "x." + i, message: i),
            Record(reason: "unheard-of", state: i.ToUpperInvariant(), message: "nova.exception." + i),
            Record(reason: " " + i.ToLowerInvariant() + " ", state: null, message: "a " + i),
        }).Concat(ShippedMessagePatterns.KnownTexts().Select(t => Record(reason: t, state: t, message: t)))
          .Concat(Enumerable.Range(0, 260).Select(code => Record(exitCode: code)));
        var compared = 0;
        foreach (var record in records)
        {
            foreach (var slots in plans)
            {
                if (ExactGroup.For(slots) is not { } group) continue;
                var scan = VocabularyScan.Start(index);
                group.Search(record, scan);
                foreach (var slot in slots.Where(s => s.Table.IsExact))
                {
                    var alone = slot.Table.TryMatch(record, slot.Source, out var expected) ? (expected.Field, expected.Value, expected.Entry.Identifier) : default;
                    var together = scan.TryMatch(slot, record, null, null, out var actual) ? (actual.Field, actual.Value, actual.Entry.Identifier) : default;
                    Assert.True(alone == together, $"{slot.Table.RuleId} on {record.Reason}/{record.State}/{record.Message}: alone {alone}, together {together}");
                    if (alone != default) compared++;
                }
            }
        }
        Assert.True(compared > 1000, $"only {compared} matches compared");
    }
}
