using OpsConsole.Features.Classification;
using OpsConsole.Features.Classification.Vocabulary;
using OpsConsole.Features.Records;

namespace OpsConsole.Tests.Features.Classification;

public sealed class PhraseGroupTests
{
    private static EventRecord Record(string? message, string? reason = null, string? errorCode = null) => new()
    {
        Kind = "container", Source = "test", Format = "test", Entry = "event", InstanceKey = "k", InstanceName = "n", DedupeKey = "d", RawJson = "{}",
        Message = message, Reason = reason, ErrorCode = errorCode,
    };

    private static VocabularyTable Table(string name, string lookIn, params string[] phrases) =>
        SourceVocabulary.Load("test.vocabulary.yaml", $"""
            source: test
            tables:
              - name: {name}
                match: word
                lookIn: [{lookIn}]
                entries:
            {string.Concat(phrases.Select(p => $"      \"{p}\": {{category: container.config-error, severity: error}}\n"))}
            """).Tables[0];

    /// <summary>What the group left in the scan for each table, as (field, text found, identifier) or null.</summary>
    private static List<(string Field, string Found, string Identifier)?> Search(PhraseGroup group, VocabularySlot[] slots, EventRecord record)
    {
        var scan = VocabularyScan.Start(slots.Length);
        group.Search(record, scan);
        return [.. slots.Select(s => Found(scan, s, record))];
    }

    /// <summary>What the scan holds for one table, as (field, text found, identifier) or null.</summary>
    private static (string Field, string Found, string Identifier)? Found(VocabularyScan scan, VocabularySlot slot, EventRecord record)
    {
        if (scan.Entry(slot, record, null) is null) return null;
        var match = scan.Match(slot);
        return (match.Field, match.Value, match.Entry.Identifier);
    }

    /// <summary>What each table's own search finds: the behaviour the group must keep.</summary>
    private static List<(string Field, string Found, string Identifier)?> OneByOne(VocabularySlot[] slots, EventRecord record) =>
        [.. slots.Select(s => s.Table.TryMatch(record, s.Source, out var m) ? (m.Field, m.Value, m.Entry.Identifier) : ((string, string, string)?)null)];

    [Fact]
    public void Each_table_gets_its_own_leftmost_then_longest_phrase_from_one_pass()
    {
        VocabularySlot[] slots =
        [
            new("test", Table("a", "message", "failed to allocate", "failed to allocate the network(s)", "oom"), 0),
            new("test", Table("b", "message, reason", "port binding failed", "[Timeout]"), 1),
        ];
        var group = PhraseGroup.For(slots)!;

        var found = Search(group, slots, Record("x: port binding failed, then Failed  to allocate\tthe network(s); oom", reason: "[timeout]"));
        Assert.Equal(("message", "Failed  to allocate\tthe network(s)", "failed to allocate the network(s)"), found[0]);
        Assert.Equal(("message", "port binding failed", "port binding failed"), found[1]);

        // Whole words only where a phrase begins or ends with a word character; punctuation needs no boundary.
        found = Search(group, slots, Record("zoom, boomer and export binding failedover", reason: "x[TIMEOUT]"));
        Assert.Null(found[0]);
        Assert.Equal(("reason", "[TIMEOUT]", "[Timeout]"), found[1]);
    }

    [Fact]
    public void A_text_outside_ASCII_gets_each_tables_own_search()
    {
        VocabularySlot[] slots = [new("test", Table("a", "message", "failed to allocate"), 0)];
        var record = Record("Échec: FAILED to allocate — réseau");
        Assert.Equal(OneByOne(slots, record), Search(PhraseGroup.For(slots)!, slots, record));
        Assert.NotNull(Search(PhraseGroup.For(slots)!, slots, record)[0]);
    }

    /// <summary>
    /// Every shipped phrase table of a source, grouped as classification groups them, over every text the corpus,
    /// the samples and the snapshots hold (as they are, upper-cased, and with their spaces doubled), in every field
    /// the tables read: the group finds what each table's own search finds.
    /// </summary>
    [Fact]
    public void The_shipped_phrase_tables_find_together_what_each_finds_alone()
    {
        var rules = RuleSet.Load(IncidentClassifier.ShippedRuleFiles());
        var index = 0;
        var plans = rules.Vocabularies.GroupBy(v => v.Kinds is null ? v.Source : string.Join(",", v.Kinds))
            .Select(g => g.SelectMany(v => v.Tables.Select(t => new VocabularySlot(v.Source, t, index++))).ToArray()).ToList();
        var texts = ShippedMessagePatterns.KnownTexts();
        var compared = 0;
        foreach (var slots in plans)
        {
            if (PhraseGroup.For(slots) is not { } group) continue;
            var phraseSlots = slots.Where(s => !s.Table.IsExact).ToArray();
            // With characters beyond ASCII that match no letter (an arrow, typographic quotes), which the group reads too.
            foreach (var text in texts.Concat(texts.Select(t => t.ToUpperInvariant())).Concat(texts.Select(t => t.Replace(" ", "  ")))
                         .Concat(texts.Select(t => "\u201c" + t.Replace(" ", "\u2192") + "\u201d")).Concat(texts.Select(t => t.Replace(":", " \u2192"))))
            {
                var record = Record(text, reason: text, errorCode: text);
                var scan = VocabularyScan.Start(index);
                group.Search(record, scan);
                foreach (var slot in phraseSlots)
                {
                    var alone = slot.Table.TryMatch(record, slot.Source, out var expected) ? (expected.Field, expected.Value, expected.Entry.Identifier) : default;
                    var together = Found(scan, slot, record) ?? default;
                    Assert.True(alone == together, $"{slot.Table.RuleId} on \"{text}\": alone {alone}, together {together}");
                    if (alone != default) compared++;
                }
            }
        }
        Assert.True(compared > 1000, $"only {compared} matches compared");
    }
}
