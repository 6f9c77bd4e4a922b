using OpsConsole.Features.Records;

namespace OpsConsole.Features.Classification.Vocabulary;

/// <summary>One vocabulary table as a rule set consults it: the source it speaks for and its place in a <see cref="VocabularyScan"/>.</summary>
public sealed record VocabularySlot(string Source, VocabularyTable Table, int Index)
{
    public VocabularyPass PassOf(VocabularyEntry entry) => entry.Pass;
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
/// record's fields at most once, and only if some pass gets that far. One per thread, reused record after record,
/// with the buffers a <see cref="PhraseGroup"/> search and <see cref="PhraseSearch.Normalise"/> reuse (one
/// thread-static read per record rather than one per use: on Linux each costs a call into the runtime's TLS).
/// </summary>
public sealed class VocabularyScan
{
    [ThreadStatic]
    private static VocabularyScan? _current;

    private enum State : byte { NotRead, NoMatch, Match }

    private State[] _states = [];

    // Written only for a table that matched (most do not): a match is a struct of five references, and copying one
    // into an array goes through the runtime's bulk write barrier.
    private VocabularyMatch[] _matches = [];

    /// <summary>A <see cref="PhraseGroup"/>'s per-(table, field) hits, valid where their stamp is the current search's.</summary>
    internal PhraseGroup.Hit[] Hits = new PhraseGroup.Hit[64];
    internal int[] HitStamps = new int[64];
    internal int Stamp;

    /// <summary>The text <see cref="PhraseSearch.Normalise"/> read last (the tables of one source read the same field one after another).</summary>
    internal string? LastText, LastNormalised;
    internal int[]? LastOrigin;

    /// <summary>The calling thread's scan (for <see cref="PhraseSearch"/>'s cache; not emptied).</summary>
    internal static VocabularyScan Current => _current ??= new VocabularyScan();

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

    /// <summary>The entry a table matched in the record, or null; its match is then <see cref="Match"/>.</summary>
    internal VocabularyEntry? Entry(VocabularySlot slot, EventRecord record, PhraseGroup? phrases)
    {
        var index = slot.Index;
        if (_states[index] == State.NotRead && phrases is not null && !slot.Table.IsExact && phrases.Holds(slot))
            phrases.Search(record, this);
        switch (_states[index])
        {
            case State.Match: return _matches[index].Entry;
            case State.NoMatch: return null;
        }
        if (!slot.Table.TryMatch(record, slot.Source, out var match))
        {
            _states[index] = State.NoMatch;
            return null;
        }
        _states[index] = State.Match;
        _matches[index] = match;
        return match.Entry;
    }

    /// <summary>The match of a table <see cref="Entry"/> found one in.</summary>
    internal ref readonly VocabularyMatch Match(VocabularySlot slot) => ref _matches[slot.Index];

    /// <summary>A table's match found by a <see cref="PhraseGroup"/> along with its other tables'.</summary>
    internal void Set(VocabularySlot slot, in VocabularyMatch match)
    {
        _states[slot.Index] = State.Match;
        _matches[slot.Index] = match;
    }

    /// <summary>A table a <see cref="PhraseGroup"/> searched without a match.</summary>
    internal void SetNone(VocabularySlot slot) => _states[slot.Index] = State.NoMatch;
}
