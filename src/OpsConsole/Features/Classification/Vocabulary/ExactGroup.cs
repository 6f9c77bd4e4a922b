using OpsConsole.Features.Records;

namespace OpsConsole.Features.Classification.Vocabulary;

/// <summary>
/// The exact tables of one <see cref="VocabularyPlan"/> looked up together: one case-insensitive lookup of a field's
/// value (and one of a qualified name's last part) in a map of every table's identifiers finds what each table's own
/// lookup would (<see cref="VocabularyTable.TryMatch"/>: per table, its first field holding one of its identifiers, the
/// whole value before the class name). A source asks the same reason or state of half a dozen tables (waiting,
/// terminated, kubelet, scheduler… reasons), and hashing the value once per table was most of what they cost.
/// </summary>
public sealed class ExactGroup
{
    /// <summary>A table of the group knowing an identifier, and its entry.</summary>
    internal readonly record struct Known(int Table, VocabularyEntry Entry);

    private readonly VocabularySlot[] _tables;
    private readonly (string Name, Func<EventRecord, string?> Read)[] _fields;

    /// <summary>Per table, the fields it looks in (indices into <see cref="_fields"/>), in its own order.</summary>
    private readonly int[][] _fieldsOf;

    private readonly Dictionary<string, Known[]>.AlternateLookup<ReadOnlySpan<char>> _known;

    // A value longer than every identifier cannot be one (a long message is not hashed for nothing).
    private readonly int _longest;

    /// <summary>By slot index (<see cref="VocabularySlot.Index"/>), the slots of <see cref="_tables"/>.</summary>
    private readonly VocabularySlot?[] _bySlotIndex;

    private ExactGroup(VocabularySlot[] tables)
    {
        _tables = tables;
        _bySlotIndex = new VocabularySlot?[tables.Max(t => t.Index) + 1];
        foreach (var table in tables) _bySlotIndex[table.Index] = table;
        var fields = new List<(string Name, Func<EventRecord, string?> Read)>();
        _fieldsOf = new int[tables.Length][];
        for (var t = 0; t < tables.Length; t++)
        {
            var of = new List<int>();
            foreach (var field in tables[t].Table.Fields)
            {
                var at = fields.FindIndex(f => f.Name == field.Name);
                if (at < 0) { at = fields.Count; fields.Add(field); }
                of.Add(at);
            }
            _fieldsOf[t] = [.. of];
        }
        _fields = [.. fields];
        var known = tables.SelectMany((slot, t) => slot.Table.Entries.Select(e => (e.Identifier, Known: new Known(t, e))))
            .GroupBy(k => k.Identifier, StringComparer.OrdinalIgnoreCase)
            .ToDictionary(g => g.Key, g => g.Select(k => k.Known).ToArray(), StringComparer.OrdinalIgnoreCase);
        _known = known.GetAlternateLookup<ReadOnlySpan<char>>();
        _longest = known.Keys.Max(k => k.Length);
    }

    /// <summary>The group of a plan's exact tables, or null when it has none.</summary>
    public static ExactGroup? For(IEnumerable<VocabularySlot> slots)
    {
        var tables = slots.Where(s => s.Table.IsExact).ToArray();
        return tables.Length == 0 ? null : new ExactGroup(tables);
    }

    public bool Holds(VocabularySlot slot) => slot.Index < _bySlotIndex.Length && ReferenceEquals(_bySlotIndex[slot.Index], slot);

    /// <summary>Looks the record's fields up for every table of the group at once and leaves each table's outcome in <paramref name="scan"/>.</summary>
    public void Search(EventRecord record, VocabularyScan scan)
    {
        // Per field: the tables knowing its whole value, and those knowing its class name (a qualified value's last part).
        var byField = scan.ExactFound.Length >= _fields.Length ? scan.ExactFound : scan.ExactFound = new (Known[]?, Known[]?)[_fields.Length];
        for (var f = 0; f < _fields.Length; f++)
            byField[f] = _fields[f].Read(record) is { Length: > 0 } value ? Lookup(value) : default;
        for (var t = 0; t < _tables.Length; t++)
        {
            var slot = _tables[t];
            scan.SetNone(slot);
            foreach (var f in _fieldsOf[t])
            {
                if ((Find(byField[f].Whole, t) ?? Find(byField[f].Name, t)) is not { } entry) continue;
                scan.Set(slot, new VocabularyMatch(slot.Source, slot.Table, entry, _fields[f].Name, _fields[f].Read(record)!));
                break;
            }
        }
    }

    private (Known[]? Whole, Known[]? Name) Lookup(string value)
    {
        var trimmed = value.AsSpan().Trim();
        Known[]? whole = null, name = null;
        if (trimmed.Length <= _longest) _known.TryGetValue(trimmed, out whole);
        // Exception classes often arrive qualified ("nova.exception.NoValidHost"); the class name is what the tables key.
        var dot = trimmed.LastIndexOf('.');
        if (dot > 0 && dot < trimmed.Length - 1 && trimmed.Length - dot - 1 <= _longest && !trimmed.Contains(' '))
            _known.TryGetValue(trimmed[(dot + 1)..], out name);
        return (whole, name);
    }

    private static VocabularyEntry? Find(Known[]? known, int table)
    {
        if (known is null) return null;
        foreach (var k in known)
            if (k.Table == table) return k.Entry;
        return null;
    }
}
