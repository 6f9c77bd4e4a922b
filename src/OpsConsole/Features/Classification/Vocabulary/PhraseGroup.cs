using System.Buffers;
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
/// Texts outside ASCII go to each table's own search, whose case folding this pass does not repeat.
/// </summary>
public sealed class PhraseGroup
{
    private readonly record struct Candidate(string Phrase, int Table, bool WordEnd, VocabularyEntry Entry);

    private readonly VocabularySlot[] _tables;
    private readonly (string Name, Func<EventRecord, string?> Read)[] _fields;

    /// <summary>Per table, the fields it looks in (indices into <see cref="_fields"/>), in its own order.</summary>
    private readonly int[][] _fieldsOf;

    /// <summary>Per field, which tables look in it (bit i: <c>_tables[i]</c>).</summary>
    private readonly ulong[] _tablesIn;

    /// <summary>Phrases by their first <see cref="_keyLength"/> characters (upper-cased); each list longest first, as every table tries them.</summary>
    private readonly Dictionary<ulong, Candidate[]> _byKey;
    private readonly int _keyLength;

    private static readonly SearchValues<char> WordChars = SearchValues.Create("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz");

    /// <summary>Word characters, and the punctuation some phrase begins with ("[Timeout]", "(OOMKilled)"): where a phrase may begin.</summary>
    private readonly SearchValues<char> _starts;

    [ThreadStatic] private static Hit[]? _hits;

    private struct Hit
    {
        public Candidate Candidate;
        public string Found;
        public bool Any;
    }

    private PhraseGroup(VocabularySlot[] tables)
    {
        _tables = tables;
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
        _tablesIn = new ulong[_fields.Length];
        for (var t = 0; t < tables.Length; t++)
            foreach (var f in _fieldsOf[t]) _tablesIn[f] |= 1UL << t;

        var phrases = tables.SelectMany((slot, t) => slot.Table.Phrases.Select(p => new Candidate(p.Phrase, t, IsWordChar(p.Phrase[^1]), p.Entry))).ToList();
        _keyLength = Math.Min(4, phrases.Min(p => p.Phrase.Length));
        _starts = SearchValues.Create([.. "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz", .. phrases.Select(p => p.Phrase[0]).Where(c => !IsWordChar(c)).Distinct()]);
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

    public bool Holds(VocabularySlot slot) => Array.IndexOf(_tables, slot) >= 0;

    /// <summary>Searches the record's fields for every table of the group at once and leaves each table's outcome in <paramref name="scan"/>.</summary>
    public void Search(EventRecord record, VocabularyScan scan)
    {
        var hits = _hits is { } h && h.Length >= _tables.Length * _fields.Length ? h : _hits = new Hit[Math.Max(64, _tables.Length * _fields.Length)];
        Array.Clear(hits, 0, _tables.Length * _fields.Length);
        for (var f = 0; f < _fields.Length; f++)
        {
            if (_fields[f].Read(record) is not { Length: > 0 } text) continue;
            if (Ascii.IsValid(text)) SearchText(text, f, hits);
            else
                for (var t = 0; t < _tables.Length; t++)
                    if ((_tablesIn[f] & (1UL << t)) != 0 && _tables[t].Table.TryPhrase(text, out var entry, out var found))
                        hits[t * _fields.Length + f] = new Hit { Candidate = new Candidate("", t, false, entry), Found = found, Any = true };
        }
        for (var t = 0; t < _tables.Length; t++)
        {
            var slot = _tables[t];
            VocabularyMatch? match = null;
            foreach (var f in _fieldsOf[t])
            {
                ref var hit = ref hits[t * _fields.Length + f];
                if (!hit.Any) continue;
                match = new VocabularyMatch(slot.Source, slot.Table, hit.Candidate.Entry, _fields[f].Name, hit.Found);
                break;
            }
            scan.Set(slot, match);
        }
    }

    /// <summary>For each table looking in field <paramref name="field"/>, its leftmost (then longest) phrase in <paramref name="text"/>.</summary>
    private void SearchText(string text, int field, Hit[] hits)
    {
        var normalised = PhraseSearch.Normalise(text, out var origin);
        var span = normalised.AsSpan();
        var waiting = _tablesIn[field];
        for (var at = 0; waiting != 0;)
        {
            // The next place a phrase may begin: a word's first character, or punctuation some phrase begins with.
            var next = span[at..].IndexOfAny(_starts);
            if (next < 0) break;
            at += next;
            if (at + _keyLength > span.Length) break;
            var wordStart = IsWordChar(span[at]);
            if (_byKey.TryGetValue(Key(span.Slice(at, _keyLength)), out var candidates))
                waiting = TryPhrasesAt(text, span, origin, at, candidates, field, waiting, hits);
            if (!wordStart) { at++; continue; }
            // Past the rest of the word: no phrase begins inside one.
            var rest = span[(at + 1)..].IndexOfAnyExcept(WordChars);
            if (rest < 0) break;
            at += 1 + rest;
        }
    }

    /// <summary>Tries the phrases that begin like the text at <paramref name="at"/>; returns the tables still waiting for a match.</summary>
    private ulong TryPhrasesAt(string text, ReadOnlySpan<char> span, int[]? origin, int at, Candidate[] candidates, int field, ulong waiting, Hit[] hits)
    {
        foreach (var candidate in candidates)
        {
            var bit = 1UL << candidate.Table;
            if ((waiting & bit) == 0) continue;
            var end = at + candidate.Phrase.Length;
            if (end > span.Length || !span.Slice(at, candidate.Phrase.Length).Equals(candidate.Phrase, StringComparison.OrdinalIgnoreCase)) continue;
            if (candidate.WordEnd && end < span.Length && IsWordChar(span[end])) continue;
            waiting &= ~bit;
            hits[candidate.Table * _fields.Length + field] = new Hit
            {
                Candidate = candidate,
                Found = origin is null ? text.Substring(at, candidate.Phrase.Length) : text[origin[at]..(origin[end - 1] + 1)],
                Any = true,
            };
        }
        return waiting;
    }

    /// <summary>Up to four characters, upper-cased (ASCII), as one number.</summary>
    private static ulong Key(ReadOnlySpan<char> chars)
    {
        ulong key = 0;
        foreach (var c in chars) key = (key << 16) | (uint)(char.IsAsciiLetterLower(c) ? c - 32 : c);
        return key;
    }

    /// <summary>An ASCII word character: letter, digit or '_' (the text is ASCII here).</summary>
    private static bool IsWordChar(char c) => char.IsAsciiLetterOrDigit(c) || c == '_';
}
