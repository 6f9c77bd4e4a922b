using OpsConsole.Features.Records;

namespace OpsConsole.Features.Classification.Vocabulary;

/// <summary>One vocabulary table as a rule set consults it: the source it speaks for and its place in a <see cref="VocabularyScan"/>.</summary>
public sealed record VocabularySlot(string Source, VocabularyTable Table, int Index)
{
    public VocabularyPass PassOf(VocabularyEntry entry) => SourceVocabulary.PassOf(Table, entry);
}

/// <summary>
/// A source's (or a kind's) tables as each pass asks them, worked out once: per pass and match style, only the tables
/// holding entries of that pass, in file order — so classifying a record walks no table a pass would skip.
/// </summary>
public sealed class VocabularyPlan
{
    private readonly VocabularySlot[][] _slots;

    /// <summary>Its phrase tables, searched together the first time a pass asks one of them.</summary>
    public PhraseGroup? Phrases { get; }

    public VocabularyPlan(IEnumerable<VocabularySlot> slots)
    {
        var all = slots.ToList();
        Phrases = PhraseGroup.For(all);
        var passes = Enum.GetValues<VocabularyPass>();
        _slots = new VocabularySlot[passes.Length * 2][];
        foreach (var pass in passes)
            foreach (var exact in (bool[])[false, true])
                _slots[Index(exact, pass)] = [.. all.Where(s => s.Table.IsExact == exact && s.Table.Has(pass))];
    }

    public VocabularySlot[] Slots(bool exact, VocabularyPass pass) => _slots[Index(exact, pass)];

    private static int Index(bool exact, VocabularyPass pass) => (int)pass * 2 + (exact ? 1 : 0);
}

/// <summary>
/// What each vocabulary table found in the one record being classified. Classification asks the tables pass after
/// pass (specific, generic, healthy…) but a table's match does not depend on the pass, so each table reads the
/// record's fields at most once, and only if some pass gets that far. One per thread, reused record after record.
/// </summary>
public sealed class VocabularyScan
{
    [ThreadStatic]
    private static VocabularyScan? _current;

    private enum State : byte { NotRead, NoMatch, Match }

    private State[] _states = [];
    private VocabularyMatch[] _matches = [];

    /// <summary>The calling thread's scan, emptied for a record that <paramref name="tables"/> tables may read.</summary>
    public static VocabularyScan Start(int tables)
    {
        var scan = _current ??= new VocabularyScan();
        if (scan._states.Length < tables)
        {
            scan._states = new State[tables];
            scan._matches = new VocabularyMatch[tables];
        }
        else Array.Clear(scan._states, 0, tables);
        return scan;
    }

    public bool TryMatch(VocabularySlot slot, EventRecord record, PhraseGroup? phrases, out VocabularyMatch match)
    {
        if (_states[slot.Index] == State.NotRead && phrases is not null && !slot.Table.IsExact && phrases.Holds(slot))
            phrases.Search(record, this);
        switch (_states[slot.Index])
        {
            case State.Match:
                match = _matches[slot.Index];
                return true;
            case State.NoMatch:
                match = default;
                return false;
        }
        var found = slot.Table.TryMatch(record, slot.Source, out match);
        _states[slot.Index] = found ? State.Match : State.NoMatch;
        _matches[slot.Index] = match;
        return found;
    }

    /// <summary>A table's outcome found by a <see cref="PhraseGroup"/> along with its other tables'.</summary>
    internal void Set(VocabularySlot slot, VocabularyMatch? match)
    {
        _states[slot.Index] = match is null ? State.NoMatch : State.Match;
        _matches[slot.Index] = match ?? default;
    }
}
