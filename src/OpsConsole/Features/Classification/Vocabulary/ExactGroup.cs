using OpsConsole.Features.Records;

namespace OpsConsole.Features.Classification.Vocabulary;

/// <summary>
/// The exact tables of one <see cref="VocabularyPlan"/> looked up together: per field, one dictionary of every
/// identifier of every table reading that field, so a record's reason (or state, exit code…) is hashed once for all
/// of them rather than once per table — a Kubernetes record asks half a dozen reason tables. Each table still gets
/// what its own lookup finds: the first of its fields (in its order) holding one of its identifiers, the whole value
/// before a qualified name's last part ("nova.exception.NoValidHost").
/// </summary>
public sealed class ExactGroup
{
    /// <summary>One identifier in one table of the group (<c>Table</c>: an index into <see cref="_tables"/>).</summary>
    internal readonly record struct Holder(int Table, VocabularyEntry Entry);

    private readonly VocabularySlot[] _tables;
    private readonly (string Name, Func<EventRecord, string?> Read)[] _fields;

    /// <summary>Per table, the fields it looks in (indices into <see cref="_fields"/>), in its own order.</summary>
    private readonly int[][] _fieldsOf;

    /// <summary>Per field, its tables' identifiers (ignoring case), each with every table holding it.</summary>
    private readonly Dictionary<string, Holder[]>.AlternateLookup<ReadOnlySpan<char>>[] _identifiers;

    /// <summary>Per field, the longest identifier its tables hold: a longer value (a message) is not hashed.</summary>
    private readonly int[] _longest;

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
        _identifiers = new Dictionary<string, Holder[]>.AlternateLookup<ReadOnlySpan<char>>[_fields.Length];
        _longest = new int[_fields.Length];
        for (var f = 0; f < _fields.Length; f++)
        {
            var holders = Enumerable.Range(0, tables.Length).Where(t => _fieldsOf[t].Contains(f))
                .SelectMany(t => tables[t].Table.Entries.Select(e => (e.Identifier, Holder: new Holder(t, e))))
                .GroupBy(h => h.Identifier, StringComparer.OrdinalIgnoreCase)
                .ToDictionary(g => g.Key, g => g.Select(h => h.Holder).ToArray(), StringComparer.OrdinalIgnoreCase);
            _identifiers[f] = holders.GetAlternateLookup<ReadOnlySpan<char>>();
            _longest[f] = holders.Keys.Max(k => k.Length);
        }
    }

    /// <summary>The group of a plan's exact tables, or null when it has none (tables beyond 64 keep their own lookup).</summary>
    public static ExactGroup? For(IEnumerable<VocabularySlot> slots)
    {
        var tables = slots.Where(s => s.Table.IsExact).Take(64).ToArray();
        return tables.Length == 0 ? null : new ExactGroup(tables);
    }

    public bool Holds(VocabularySlot slot) => slot.Index < _bySlotIndex.Length && ReferenceEquals(_bySlotIndex[slot.Index], slot);

    /// <summary>Looks up the record's fields for every table of the group at once and leaves each table's outcome in <paramref name="scan"/>.</summary>
    public void Search(EventRecord record, VocabularyScan scan)
    {
        if (scan.ExactWhole.Length < _fields.Length)
        {
            scan.ExactWhole = new Holder[]?[_fields.Length];
            scan.ExactLastPart = new Holder[]?[_fields.Length];
            scan.ExactValues = new string?[_fields.Length];
        }
        var whole = scan.ExactWhole;
        var lastPart = scan.ExactLastPart;
        var values = scan.ExactValues;
        for (var f = 0; f < _fields.Length; f++)
        {
            whole[f] = lastPart[f] = null;
            var value = values[f] = _fields[f].Read(record);
            if (value is not { Length: > 0 }) continue;
            var trimmed = value.AsSpan().Trim();
            if (trimmed.Length <= _longest[f] && _identifiers[f].TryGetValue(trimmed, out var found)) whole[f] = found;
            // Exception classes often arrive qualified ("nova.exception.NoValidHost"); the class name is what the tables key.
            var dot = trimmed.LastIndexOf('.');
            if (dot > 0 && dot < trimmed.Length - 1 && trimmed.Length - dot - 1 <= _longest[f] && !trimmed.Contains(' ')
                && _identifiers[f].TryGetValue(trimmed[(dot + 1)..], out found)) lastPart[f] = found;
        }
        for (var t = 0; t < _tables.Length; t++)
        {
            var slot = _tables[t];
            var decided = false;
            foreach (var f in _fieldsOf[t])
            {
                if ((Of(whole[f], t) ?? Of(lastPart[f], t)) is not { } entry) continue;
                scan.Set(slot, new VocabularyMatch(slot.Source, slot.Table, entry, _fields[f].Name, values[f]!));
                decided = true;
                break;
            }
            if (!decided) scan.SetNone(slot);
        }
    }

    /// <summary>Table <paramref name="table"/>'s entry among the holders of one identifier, if it holds it.</summary>
    private static VocabularyEntry? Of(Holder[]? holders, int table)
    {
        if (holders is null) return null;
        foreach (var holder in holders)
            if (holder.Table == table) return holder.Entry;
        return null;
    }
}
