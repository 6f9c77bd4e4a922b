using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using OpsConsole.Features.Classification.Vocabulary;
using OpsConsole.Features.Records;

namespace OpsConsole.Features.Classification;

/// <summary>The outcome of classifying one record: category, severity, the rule and what it matched.</summary>
public readonly record struct Classification(string Category, string Severity, string RuleId, string Evidence)
{
    public bool IsFailure => Category != Taxonomy.None && Severity != "info";

    /// <summary>No failure rule or identifier applied, but the record's source marks it as an error, so no healthy rule may.</summary>
    public static Classification UnmatchedError(EventRecord record) => new(Taxonomy.Unknown, "error", "fallback-unknown",
        $"marked as an error upstream, but no rule or vocabulary knew it (entry={record.Entry}, state={record.State ?? "-"}, reason={record.Reason ?? "-"}, errorCode={record.ErrorCode ?? "-"})");

    public static Classification Unmatched(EventRecord record) => new(Taxonomy.Unknown, "warning", "fallback-unknown",
        $"no rule matched (entry={record.Entry}, state={record.State ?? "-"}, reason={record.Reason ?? "-"}, exitCode={record.ExitCode?.ToString(CultureInfo.InvariantCulture) ?? "-"})");
}

/// <summary>One validated rule with its matchers compiled; tests conditions cheapest first.</summary>
public sealed class ClassificationRule
{
    private readonly (string Name, RecordField Field, ValueMatcher Matcher)[] _textConditions;
    private readonly (string Name, RecordField Field, (int From, int To)[] Ranges)[] _numberConditions;
    private readonly bool? _hasExitCode;
    private readonly string[]? _hints;
    private readonly (string Name, RecordField Field, ValueMatcher Matcher)[] _unindexedText;
    private readonly MessagePattern? _message;
    private readonly MessagePattern? _messageAlso;
    private readonly MessagePattern? _messageNot;

    public string Id { get; }
    public string Category { get; }
    public string Severity { get; }
    public string Description { get; }
    public string Origin { get; }

    /// <summary>The kinds the rule can match, or null for any kind; used to index rules by kind.</summary>
    public IReadOnlyList<string>? Kinds { get; }

    /// <summary>True when the rule needs a phrase in the message: a healthy rule that does is a specific "this is fine".</summary>
    public bool KeysOnMessage { get; }

    /// <summary>
    /// Whether the rule may take a record its source marks as an error: a failure rule, or a specific "this is fine"
    /// on a message phrase; a none rule on states passes such a record by.
    /// </summary>
    public bool AppliesToMarked { get; }

    internal ClassificationRule(RuleDefinition definition, string origin, TimeSpan regexTimeout)
    {
        Id = definition.Id!;
        Category = definition.Category!;
        Severity = definition.Severity!;
        Description = definition.Description ?? "";
        Origin = origin;
        var when = definition.When!;
        Kinds = when.Kind;
        KeysOnMessage = when.Message is not null;
        AppliesToMarked = Category != Taxonomy.None || KeysOnMessage;

        var text = new List<(string, RecordField, ValueMatcher)>();
        void AddText(string name, List<string>? values)
        {
            if (values is { Count: > 0 }) text.Add((name, RecordFields.Field(name), new ValueMatcher(values)));
        }
        AddText("kind", when.Kind);
        AddText("source", when.Source);
        AddText("format", when.Format);
        AddText("entry", when.Entry);
        AddText("state", when.State);
        AddText("reason", when.Reason);
        AddText("errorCode", when.ErrorCode);
        AddText("stage", when.Stage);
        AddText("signal", when.Signal);
        _textConditions = [.. text];
        _unindexedText = [.. text.Where(c => c.Item3.Exact is null)];

        var numbers = new List<(string, RecordField, (int, int)[])>();
        if (when.ExitCode is { Count: > 0 }) numbers.Add(("exitCode", RecordField.ExitCode, ParseRanges(when.ExitCode, "exitCode")));
        if (when.HttpCode is { Count: > 0 }) numbers.Add(("httpCode", RecordField.HttpCode, ParseRanges(when.HttpCode, "httpCode")));
        _numberConditions = [.. numbers];

        _hasExitCode = when.HasExitCode;
        _hints = when.Hint is { Count: > 0 } ? [.. when.Hint] : null;
        _message = Compile(when.Message, "message", regexTimeout);
        _messageAlso = Compile(when.MessageAlso, "messageAlso", regexTimeout);
        _messageNot = Compile(when.MessageNot, "messageNot", regexTimeout);

        if (_textConditions.Length == 0 && _numberConditions.Length == 0 && _hasExitCode is null && _hints is null && _message is null)
            throw new RuleValidationException("has no conditions in 'when'; a rule must say what it matches");
    }

    /// <summary>The text conditions that list exact values only, by field name: what a <see cref="RuleIndex"/> can look up.</summary>
    internal IEnumerable<(string Field, IReadOnlyList<string> Values)> ExactConditions =>
        _textConditions.Where(c => c.Matcher.Exact is not null).Select(c => (c.Name, c.Matcher.Exact!));

    internal bool HasMessage => _message is not null;

    /// <summary>Whether the rule's source condition, if it has one, takes records of <paramref name="source"/>.</summary>
    internal bool MayTakeSource(string source)
    {
        foreach (var (name, _, matcher) in _textConditions)
            if (name == "source") return matcher.Matches(source);
        return true;
    }

    /// <summary>
    /// The <see cref="CharPairs"/> of the spellings one of which the message condition's every match holds, when that
    /// condition is all a <see cref="RuleIndex"/> leaves the rule to test (a message lacking all of them cannot match,
    /// so the index passes the rule by without calling it); null otherwise — the rule's other conditions come first,
    /// and a record they rule out never needs its message's pairs.
    /// </summary>
    internal CharPairs[]? MessagePairs =>
        _unindexedText.Length == 0 && _numberConditions.Length == 0 && _hints is null ? _message?.Pairs : null;

    /// <summary>The number conditions (exitCode, httpCode) with their ranges, for a <see cref="RuleIndex"/>.</summary>
    internal IEnumerable<(string Name, RecordField Field, IReadOnlyList<(int From, int To)> Ranges)> NumberConditions =>
        _numberConditions.Select(c => (c.Name, c.Field, (IReadOnlyList<(int, int)>)c.Ranges));

    /// <summary>The rule's <c>hasExitCode</c> condition, if it has one.</summary>
    internal bool? HasExitCode => _hasExitCode;

    public bool TryMatch(EventRecord record, out Classification result)
    {
        var message = new RecordMessage(record.Message);
        return TryMatch(record, indexed: false, ref message, out result);
    }

    /// <summary>
    /// As <see cref="TryMatch(EventRecord, out Classification)"/>; <paramref name="indexed"/>: a <see cref="RuleIndex"/>
    /// already found the record's values among those of every <see cref="ExactConditions"/>, so they are not compared
    /// again; <paramref name="message"/>: what the record's rules read of its message once (whether it is ASCII, its pairs).
    /// </summary>
    internal bool TryMatch(EventRecord record, bool indexed, ref RecordMessage message, out Classification result)
    {
        result = default;
        foreach (var (_, field, matcher) in indexed ? _unindexedText : _textConditions)
            if (!matcher.Matches(RecordFields.Read(record, field))) return false;
        foreach (var (_, field, ranges) in _numberConditions)
            if (!InRanges(RecordFields.Number(record, field), ranges)) return false;
        if (_hasExitCode is { } has && has != record.ExitCode.HasValue) return false;
        if (_hints is not null && !HasAnyHint(record.Hints, _hints)) return false;

        Range? matched = null;
        try
        {
            if (_message is not null)
            {
                if (record.Message is null || !_message.Find(record.Message, ref message, out var found)) return false;
                matched = found;
            }
            if (_messageAlso is not null && (record.Message is null || !_messageAlso.IsMatch(record.Message, ref message))) return false;
            if (_messageNot is not null && record.Message is not null && _messageNot.IsMatch(record.Message, ref message)) return false;
        }
        catch (RegexMatchTimeoutException)
        {
            // A pattern that runs away on one message must not fail the ingestion request: the rule simply does
            // not match, and later rules (or unknown) take the record.
            return false;
        }

        result = new Classification(Category, Severity, Id, Evidence(record, matched));
        return true;
    }

    /// <summary>
    /// What the rule looked at, with the record's values: "reason=OOMKilled; exitCode=137"; <paramref name="matched"/>
    /// is the message condition's match as its place in the message, copied straight in rather than cut out first.
    /// </summary>
    private string Evidence(EventRecord record, Range? matched)
    {
        // Written into a stack buffer (grown from the shared pool only for a long match): one string made per record.
        var text = new EvidenceText(stackalloc char[128]);
        foreach (var (name, field, _) in _textConditions)
            if (name is not "kind" and not "source") text.Part(name, RecordFields.Read(record, field));
        foreach (var (name, field, _) in _numberConditions)
            text.Part(name, RecordFields.Text(RecordFields.Number(record, field)));
        if (_hasExitCode == true && _numberConditions.Length == 0) text.Part("exitCode", RecordFields.Text(record.ExitCode));
        if (_hints is not null) text.Part("hint", record.Hints);
        if (matched is { } range) text.Part("message~", record.Message.AsSpan()[range], quoted: true);
        return text.IsEmpty ? $"source={record.Source}" : text.ToStringAndClear();
    }

    /// <summary>"name=value" parts joined by "; ", as <see cref="Evidence"/> writes them.</summary>
    private ref struct EvidenceText(Span<char> buffer)
    {
        private DefaultInterpolatedStringHandler _text = new(0, 0, null, buffer);
        private bool _any;

        public readonly bool IsEmpty => !_any;

        public void Part(string name, ReadOnlySpan<char> value, bool quoted = false)
        {
            if (_any) _text.AppendLiteral("; ");
            _any = true;
            if (quoted)
            {
                // message~"…": the name already ends in its operator.
                _text.AppendLiteral(name);
                _text.AppendLiteral("\"");
                _text.AppendFormatted(value);
                _text.AppendLiteral("\"");
                return;
            }
            _text.AppendLiteral(name);
            _text.AppendLiteral("=");
            _text.AppendFormatted(value);
        }

        public string ToStringAndClear() => _text.ToStringAndClear();
    }

    private static bool InRanges(int? value, (int From, int To)[] ranges)
    {
        if (value is not { } v) return false;
        foreach (var (from, to) in ranges)
            if (v >= from && v <= to) return true;
        return false;
    }

    private static bool HasAnyHint(string? hints, string[] wanted)
    {
        if (string.IsNullOrEmpty(hints)) return false;
        foreach (var range in hints.AsSpan().Split(' '))
        {
            var part = hints.AsSpan(range);
            if (part.IsEmpty) continue;
            foreach (var w in wanted)
                if (part.Equals(w, StringComparison.OrdinalIgnoreCase)) return true;
        }
        return false;
    }

    private static (int, int)[] ParseRanges(List<string> values, string field) => values.Select(v =>
    {
        var dash = v.IndexOf('-', 1);
        if (dash < 0 && int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var single)) return (single, single);
        if (dash > 0 && int.TryParse(v[..dash], NumberStyles.Integer, CultureInfo.InvariantCulture, out var from)
                     && int.TryParse(v[(dash + 1)..], NumberStyles.Integer, CultureInfo.InvariantCulture, out var to) && from <= to)
            return (from, to);
        throw new RuleValidationException($"'{field}' value '{v}' is not a number or a range like 500-599");
    }).ToArray();

    private static MessagePattern? Compile(string? pattern, string field, TimeSpan timeout)
    {
        if (string.IsNullOrEmpty(pattern)) return null;
        try
        {
            // Compiled: these run on every record of every batch. The timeout bounds a pathological operator pattern.
            return new MessagePattern(new Regex(pattern, RegexOptions.Compiled | RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.Singleline, timeout), pattern);
        }
        catch (ArgumentException ex)
        {
            throw new RuleValidationException($"'{field}' is not a valid regular expression: {ex.Message}");
        }
    }

    /// <summary>
    /// One message condition: its regex, and what lets a message skip the regex — plain alternatives found by a
    /// literal search instead (<see cref="LiteralPattern"/>), or a required literal that is not there (<see cref="MessagePrefilter"/>) —
    /// and what lets it skip that search: the <see cref="CharPairs"/> of those spellings, none of which the message may hold.
    /// Either may throw <see cref="RegexMatchTimeoutException"/> from the regex.
    /// </summary>
    private sealed class MessagePattern
    {
        private readonly Regex _regex;
        private readonly LiteralPattern? _literal;
        private readonly MessagePrefilter? _prefilter;

        /// <summary>The pairs of the spellings one of which every match holds; null when one is too short to have a pair.</summary>
        private readonly CharPairs[]? _pairs;

        public CharPairs[]? Pairs => _pairs;

        public MessagePattern(Regex regex, string pattern)
        {
            _regex = regex;
            _literal = LiteralPattern.For(pattern);
            _prefilter = MessagePrefilter.For(pattern);
            var spellings = _literal?.Alternatives ?? _prefilter?.Literals;
            _pairs = spellings is not null && spellings.All(s => s.Length >= 2) ? [.. spellings.Select(s => CharPairs.Of(s))] : null;
        }

        /// <summary>The first match's place in <paramref name="message"/>.</summary>
        public bool Find(string message, ref RecordMessage facts, out Range matched)
        {
            matched = default;
            if (_pairs is not null && !facts.MayHoldAny(_pairs)) return false;
            if (_literal?.TryMatch(message, facts.Ascii, out matched) is { } known) return known;
            if (_prefilter?.MayMatch(message, facts.Ascii) == false) return false;
            // The first match's place, without a Match object.
            foreach (var match in _regex.EnumerateMatches(message))
            {
                matched = match.Index..(match.Index + match.Length);
                return true;
            }
            return false;
        }

        public bool IsMatch(string message, ref RecordMessage facts) =>
            (_pairs is null || facts.MayHoldAny(_pairs))
            && (_literal?.TryMatch(message, facts.Ascii, out _) ?? (_prefilter?.MayMatch(message, facts.Ascii) != false && _regex.IsMatch(message)));
    }

    /// <summary>Exact values compared ignoring case; "Failed*" matches a prefix, "*.error" a suffix.</summary>
    private sealed class ValueMatcher(List<string> values)
    {
        private readonly string[] _exact = [.. values.Where(v => !v.StartsWith('*') && !v.EndsWith('*'))];
        private readonly string[] _prefixes = [.. values.Where(v => v.Length > 1 && v.EndsWith('*')).Select(v => v[..^1])];
        private readonly string[] _suffixes = [.. values.Where(v => v.Length > 1 && v.StartsWith('*') && !v.EndsWith('*')).Select(v => v[1..])];

        /// <summary>The values when all are exact (no prefix or suffix pattern), else null.</summary>
        public IReadOnlyList<string>? Exact { get; } = values.All(v => !v.StartsWith('*') && !v.EndsWith('*')) ? values : null;

        public bool Matches(string? value)
        {
            if (value is null) return false;
            foreach (var e in _exact)
                if (string.Equals(value, e, StringComparison.OrdinalIgnoreCase)) return true;
            foreach (var p in _prefixes)
                if (value.StartsWith(p, StringComparison.OrdinalIgnoreCase)) return true;
            foreach (var s in _suffixes)
                if (value.EndsWith(s, StringComparison.OrdinalIgnoreCase)) return true;
            return false;
        }
    }
}

/// <summary>A rules file that cannot be used; the message names the file, the rule and the problem.</summary>
public sealed class RuleValidationException(string message) : Exception(message);
