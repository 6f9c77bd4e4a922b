using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Text;
using OpsConsole.Features.Records;

namespace OpsConsole.Features.Classification.Vocabulary;

/// <summary>
/// The phrase tables of one <see cref="VocabularyPlan"/> searched together: one pass over each field's text finds, for
/// every table, the phrase its own <see cref="PhraseSearch"/> would find (the leftmost; at one place the longest; whole
/// words where a phrase begins or ends with a word character). A phrase can only begin where a word begins (or, for
/// the few that begin with punctuation, at that character), so the pass looks up the first characters found there in
/// one table of all phrases instead of running each table's multi-substring search over the whole text: with a dozen
/// tables of tens to hundreds of phrases, those searches were most of the time spent classifying a long message.
/// Texts beyond <see cref="AsciiAlike.ForPhrases"/> go to each table's own search, whose case folding this pass does not repeat.
/// </summary>
public sealed class PhraseGroup
{
    /// <summary>
    /// One phrase as the search tries it; <c>Next</c>: the key of its characters after the first key, 0 when
    /// it is too short to have one. The phrases sharing a first key ("failed to …", "the requested URL returned error: …")
    /// run to dozens in a table, and comparing that second key turns most of them down without comparing the phrase.
    /// </summary>
    private readonly record struct Candidate(string Phrase, int Table, bool WordEnd, VocabularyEntry Entry, ulong Next = 0);

    private readonly VocabularySlot[] _tables;
    private readonly (string Name, RecordField Field)[] _fields;

    /// <summary>Per table, the fields it looks in (indices into <see cref="_fields"/>), in its own order.</summary>
    private readonly int[][] _fieldsOf;

    /// <summary>Per field, which tables look in it (bit i: <c>_tables[i]</c>).</summary>
    private readonly ulong[] _tablesIn;

    /// <summary>Phrases by their first <see cref="_keyLength"/> characters (upper-cased); each list longest first, as every table tries them.</summary>
    private readonly Dictionary<ulong, Candidate[]> _byKey;
    private readonly int _keyLength;

    /// <summary>
    /// Per ASCII character, what it is to the search: a word character, punctuation some phrase begins with ("[Timeout]",
    /// "(OOMKilled)": a place a phrase may begin although no word does), or neither — one load per character of the text.
    /// </summary>
    private readonly CharClass[] _classes = new CharClass[128];

    private enum CharClass : byte { Other, Word, PhraseStart }

    /// <summary>The punctuation marks some phrase begins with, each in every lane: what the sixteen-place scan compares a block with.</summary>
    private readonly Vector256<ushort>[] _phraseStarts;

    // Beyond this many phrase-starting marks a block costs more compares than the one-place loop saves.
    private const int MostVectorPhraseStarts = 8;

    /// <summary>A bit set for every phrase's key (<see cref="Bit"/>): one load rules out most places before a dictionary lookup.</summary>
    private readonly ulong[] _firstCharacters = new ulong[1 << 10];

    /// <summary>By slot index (<see cref="VocabularySlot.Index"/>), the slots of <see cref="_tables"/>: no search through them per record.</summary>
    private readonly VocabularySlot?[] _bySlotIndex;

    /// <summary>A table's phrase found in one field: where, in the field's own text (cut out only for the table's match).</summary>
    internal readonly record struct Hit(VocabularyEntry Entry, int Start, int End);

    private PhraseGroup(VocabularySlot[] tables)
    {
        _tables = tables;
        _bySlotIndex = new VocabularySlot?[tables.Max(t => t.Index) + 1];
        foreach (var table in tables) _bySlotIndex[table.Index] = table;
        var fields = new List<(string Name, RecordField Field)>();
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
        _tablesIn = new ulong[_fields.Length];
        for (var t = 0; t < tables.Length; t++)
            foreach (var f in _fieldsOf[t]) _tablesIn[f] |= 1UL << t;

        var phrases = tables.SelectMany((slot, t) => slot.Table.Phrases.Select(p => new Candidate(p.Phrase, t, IsWordChar(p.Phrase[^1]), p.Entry))).ToList();
        _keyLength = Math.Min(4, phrases.Min(p => p.Phrase.Length));
        // A key always has its 0x20 bits set (see Key), so no second key is 0.
        phrases = [.. phrases.Select(p => p.Phrase.Length >= 2 * _keyLength ? p with { Next = Key(p.Phrase.AsSpan(_keyLength, _keyLength)) } : p)];
        for (var c = (char)0; c < 128; c++)
            if (IsWordChar(c)) _classes[c] = CharClass.Word;
        foreach (var p in phrases)
        {
            if (!IsWordChar(p.Phrase[0])) _classes[p.Phrase[0]] = CharClass.PhraseStart;
            var bit = Bit(Key(p.Phrase.AsSpan(0, _keyLength)));
            _firstCharacters[bit >> 6] |= 1UL << (bit & 63);
        }
        _phraseStarts = [.. Enumerable.Range(0, 128).Where(c => _classes[c] == CharClass.PhraseStart).Select(c => Vector256.Create((ushort)c))];
        // Longest first, then in ordinal order: the order each table's own search tries the phrases found at one place.
        _byKey = phrases.GroupBy(p => Key(p.Phrase.AsSpan(0, _keyLength)))
            .ToDictionary(g => g.Key, g => g.OrderByDescending(p => p.Phrase.Length).ThenBy(p => p.Phrase, StringComparer.Ordinal).ToArray());
    }

    /// <summary>
    /// The group of a plan's phrase tables, or null when it has none. Tables with a phrase outside ASCII (whose case
    /// folding this pass does not repeat) and tables beyond 64 keep their own search.
    /// </summary>
    public static PhraseGroup? For(IEnumerable<VocabularySlot> slots)
    {
        var tables = slots.Where(s => !s.Table.IsExact && s.Table.Phrases.All(p => Ascii.IsValid(p.Phrase))).Take(64).ToArray();
        return tables.Length == 0 ? null : new PhraseGroup(tables);
    }

    public bool Holds(VocabularySlot slot) => slot.Index < _bySlotIndex.Length && ReferenceEquals(_bySlotIndex[slot.Index], slot);

    /// <summary>Searches the record's fields for every table of the group at once and leaves each table's outcome in <paramref name="scan"/>.</summary>
    public void Search(EventRecord record, VocabularyScan scan)
    {
        // Hits stay in the scan's buffer from record to record; one is valid only with this search's stamp (no clearing).
        var size = _tables.Length * _fields.Length;
        if (scan.Hits.Length < size)
        {
            scan.Hits = new Hit[size];
            scan.HitStamps = new int[size];
        }
        var stamp = ++scan.Stamp;
        var found = 0UL; // bit t: table t has a hit in some field
        for (var f = 0; f < _fields.Length; f++)
        {
            if (RecordFields.Read(record, _fields[f].Field) is not { Length: > 0 } text) continue;
            // Most texts are plain: one pass says both that this search may read them and that they need no normalising.
            if (PhraseSearch.IsPlain(text)) found |= SearchText(scan, text, null, f, stamp);
            else if (AsciiAlike.ForPhrases(text)) found |= SearchText(scan, PhraseSearch.Normalise(scan, text, out var origin), origin, f, stamp);
            else
                for (var t = 0; t < _tables.Length; t++)
                    if ((_tablesIn[f] & (1UL << t)) != 0 && _tables[t].Table.TryPhraseAt(text, out var entry, out var start, out var end))
                    {
                        KeepHit(scan, t, f, new Hit(entry, start, end), stamp);
                        found |= 1UL << t;
                    }
        }
        for (var t = 0; t < _tables.Length; t++)
        {
            var slot = _tables[t];
            if ((found & (1UL << t)) == 0)
            {
                scan.SetNone(slot);
                continue;
            }
            foreach (var f in _fieldsOf[t])
            {
                var at = t * _fields.Length + f;
                if (scan.HitStamps[at] != stamp) continue;
                var hit = scan.Hits[at];
                scan.Set(slot, new VocabularyMatch(slot.Source, slot.Table, hit.Entry, _fields[f].Name, RecordFields.Read(record, _fields[f].Field)![hit.Start..hit.End]));
                break;
            }
        }
    }

    /// <summary>
    /// For each table looking in field <paramref name="field"/>, its leftmost (then longest) phrase in a text, given
    /// <paramref name="normalised"/> (<see cref="PhraseSearch.Normalise"/>) with its <paramref name="origin"/>.
    /// </summary>
    private ulong SearchText(VocabularyScan scan, string normalised, int[]? origin, int field, int stamp)
    {
        var span = normalised.AsSpan();
        var waiting = _tablesIn[field];
        var last = span.Length - _keyLength; // the last place a key fits
        var at = 0;
        var previousIsWord = false;
        if (Vector256.IsHardwareAccelerated && _phraseStarts.Length <= MostVectorPhraseStarts)
        {
            // Sixteen places at a time: where a word begins (a word character after none) or a phrase-starting
            // punctuation mark stands, as bits; only those places are looked at, in order.
            ref var chars = ref Unsafe.As<char, ushort>(ref MemoryMarshal.GetReference(span));
            var carry = 0u; // whether the character before the block is a word character
            for (; at + 16 <= span.Length && at <= last && waiting != 0; at += 16)
            {
                var block = Vector256.LoadUnsafe(ref chars, (nuint)at);
                var word = WordCharacters(block);
                var begins = (word & ~(word << 1 | carry)) | PhraseStarts(block);
                carry = word >> 15;
                for (; begins != 0 && waiting != 0; begins &= begins - 1)
                {
                    var place = at + BitOperations.TrailingZeroCount(begins);
                    if (place > last) break;
                    waiting = TryKeyAt(scan, span, origin, place, field, waiting, stamp);
                }
            }
            previousIsWord = carry != 0;
        }
        for (; at <= last && waiting != 0; at++)
        {
            // A phrase begins where a word does, or at punctuation some phrase begins with; most places are neither,
            // and of the rest most begin like no phrase (the bitmap of first characters says so without a lookup).
            var kind = span[at] < 128 ? _classes[span[at]] : CharClass.Other;
            var isWord = kind == CharClass.Word;
            var mayBegin = isWord ? !previousIsWord : kind == CharClass.PhraseStart;
            previousIsWord = isWord;
            if (mayBegin) waiting = TryKeyAt(scan, span, origin, at, field, waiting, stamp);
        }
        return _tablesIn[field] & ~waiting;
    }

    /// <summary>The phrases whose key is the text's at <paramref name="at"/>, tried there; returns the tables still waiting for a match.</summary>
    private ulong TryKeyAt(VocabularyScan scan, ReadOnlySpan<char> span, int[]? origin, int at, int field, ulong waiting, int stamp)
    {
        var key = Key(span.Slice(at, _keyLength));
        var bit = Bit(key);
        if ((_firstCharacters[bit >> 6] & (1UL << (bit & 63))) == 0) return waiting;
        return _byKey.TryGetValue(key, out var candidates) ? TryPhrasesAt(scan, span, origin, at, candidates, field, waiting, stamp) : waiting;
    }

    /// <summary>Bit i set where character i of the block is an ASCII word character (letter, digit, '_'): <see cref="IsWordChar"/> for sixteen at once.</summary>
    private static uint WordCharacters(Vector256<ushort> block)
    {
        var letter = Vector256.LessThanOrEqual((block | Vector256.Create((ushort)0x20)) - Vector256.Create((ushort)'a'), Vector256.Create((ushort)('z' - 'a')));
        var digit = Vector256.LessThanOrEqual(block - Vector256.Create((ushort)'0'), Vector256.Create((ushort)9));
        var underscore = Vector256.Equals(block, Vector256.Create((ushort)'_'));
        return (letter | digit | underscore).ExtractMostSignificantBits();
    }

    /// <summary>Bit i set where character i of the block is punctuation some phrase begins with.</summary>
    private uint PhraseStarts(Vector256<ushort> block)
    {
        var any = Vector256<ushort>.Zero;
        foreach (var start in _phraseStarts) any |= Vector256.Equals(block, start);
        return any.ExtractMostSignificantBits();
    }

    /// <summary>Tries the phrases that begin like the text at <paramref name="at"/>; returns the tables still waiting for a match.</summary>
    private ulong TryPhrasesAt(VocabularyScan scan, ReadOnlySpan<char> span, int[]? origin, int at, Candidate[] candidates, int field, ulong waiting, int stamp)
    {
        // The text's second key here, if it has one: a candidate that has one too and differs cannot be here.
        var next = at + 2 * _keyLength <= span.Length ? Key(span.Slice(at + _keyLength, _keyLength)) : 0;
        foreach (var candidate in candidates)
        {
            var bit = 1UL << candidate.Table;
            if ((waiting & bit) == 0) continue;
            var end = at + candidate.Phrase.Length;
            if (end > span.Length || (candidate.Next != 0 && candidate.Next != next)
                || !span.Slice(at, candidate.Phrase.Length).Equals(candidate.Phrase, StringComparison.OrdinalIgnoreCase)) continue;
            if (candidate.WordEnd && end < span.Length && IsWordChar(span[end])) continue;
            waiting &= ~bit;
            var (start, stop) = PhraseSearch.Found(origin, at, end);
            KeepHit(scan, candidate.Table, field, new Hit(candidate.Entry, start, stop), stamp);
        }
        return waiting;
    }

    /// <summary>Table <paramref name="table"/>'s hit in field <paramref name="field"/>, valid for this search (<paramref name="stamp"/>).</summary>
    private void KeepHit(VocabularyScan scan, int table, int field, Hit hit, int stamp)
    {
        scan.Hits[table * _fields.Length + field] = hit;
        scan.HitStamps[table * _fields.Length + field] = stamp;
    }

    /// <summary>
    /// Up to four characters as one number, each with its 0x20 bit set: 'A' and 'a' give one key, as an ordinal
    /// comparison ignoring case needs; the few other characters that fold together ('@' and '`', '[' and '{') only
    /// give a key more candidates, which the comparison then turns down. Four characters (every group's key so far)
    /// are one unaligned read, without a branch on each character's case.
    /// </summary>
    private static ulong Key(ReadOnlySpan<char> chars)
    {
        if (chars.Length == 4) return MemoryMarshal.Read<ulong>(MemoryMarshal.AsBytes(chars)) | 0x0020_0020_0020_0020UL;
        ulong key = 0;
        for (var i = 0; i < chars.Length; i++) key |= (ulong)(chars[i] | 0x20) << (16 * i);
        return key;
    }

    /// <summary>A key's place in a 2^16-bit map (Fibonacci hashing: every character moves the top bits).</summary>
    private static int Bit(ulong key) => (int)((key * 0x9E3779B97F4A7C15UL) >> 48);

    /// <summary>An ASCII word character: letter, digit or '_' (the text is ASCII here).</summary>
    private static bool IsWordChar(char c) => char.IsAsciiLetterOrDigit(c) || c == '_';
}
