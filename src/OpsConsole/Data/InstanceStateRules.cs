using OpsConsole.Features.Classification;
using OpsConsole.Features.Records;

namespace OpsConsole.Data;

/// <summary>
/// Which record is an instance's current one, decided here and only here (<see cref="Supersedes"/>): within a batch,
/// against the stored row, and when a state is rebuilt. Both stores apply these decisions with their own SQL.
/// </summary>
internal static class InstanceStateRules
{
    /// <summary>
    /// An instance's state is its worst active condition. A newer non-failure (the container runs again, the VM is
    /// ACTIVE) ends it; a newer failure replaces it only when at least as severe, so a crash loop is not hidden by a
    /// later, milder probe warning. Time is the source's own; a non-failure at the same instant as a failure (MAAS
    /// "Node changed status" beside "Marking node failed") does not clear it.
    /// </summary>
    public static bool Supersedes(DateTimeOffset at, bool isFailure, string severity, DateTimeOffset currentAt, bool currentIsFailure, string currentSeverity)
    {
        if (at < currentAt || (at == currentAt && !isFailure)) return false;
        if (!isFailure || !currentIsFailure) return true;
        return Taxonomy.SeverityRank(severity) <= Taxonomy.SeverityRank(currentSeverity);
    }

    /// <summary>What a record says about its instance's state.</summary>
    public sealed record Candidate(long Id, string InstanceKey, string Kind, string Source, string DisplayName, string? Location, string Category,
        string Severity, bool IsFailure, string? Message, DateTimeOffset At, string? Identity)
    {
        /// <summary>The record's candidate, under <paramref name="id"/> when given (a batch position before the insert gives the row id).</summary>
        public static Candidate Of(EventRecord r, long? id = null) =>
            new(id ?? r.Id, r.InstanceKey, r.Kind, r.Source, r.InstanceName, r.Location, r.Category, r.Severity, r.IsFailure, r.Message, r.OccurredAt, r.Identity);
    }

    /// <summary>One instance's current record among several, and its failures.</summary>
    public sealed class Delta(Candidate current)
    {
        public Candidate Current { get; set; } = current;
        public int Failures { get; set; }
        public DateTimeOffset? FirstFailure { get; set; }
        public DateTimeOffset? LastFailure { get; set; }
    }

    /// <summary>The part of a stored state row the rules compare against.</summary>
    public readonly record struct Stored(DateTimeOffset At, bool Failing, string Category, string Severity);

    public static void Accumulate(Dictionary<string, Delta> states, Candidate record)
    {
        if (!states.TryGetValue(record.InstanceKey, out var state))
            states[record.InstanceKey] = state = new Delta(record);
        else if (Supersedes(record.At, record.IsFailure, record.Severity, state.Current.At, state.Current.IsFailure, state.Current.Severity))
            state.Current = record;

        if (!record.IsFailure) return;
        state.Failures++;
        if (state.FirstFailure is null || record.At < state.FirstFailure) state.FirstFailure = record.At;
        if (state.LastFailure is null || record.At > state.LastFailure) state.LastFailure = record.At;
    }

    /// <summary>
    /// How a batch's state meets the stored row: null when there is none (insert the batch's), else whether the batch's
    /// record becomes current in the merge. <paramref name="failingChanged"/> hears of an instance that starts or stops
    /// failing in a category (category, +1 or -1), for the counter table.
    /// </summary>
    public static bool? Merge(Delta delta, Stored? before, Action<string, int> failingChanged)
    {
        bool? current = before is { } row ? Supersedes(delta.Current.At, delta.Current.IsFailure, delta.Current.Severity, row.At, row.Failing, row.Severity) : null;
        if (current is not false) CountFailing(before, delta.Current, failingChanged);
        return current;
    }

    /// <summary>Counts the change from the stored row to a rebuilt (or newly current) one.</summary>
    public static void CountFailing(Stored? before, Candidate? after, Action<string, int> failingChanged)
    {
        if (before is { Failing: true } was) failingChanged(was.Category, -1);
        if (after is { IsFailure: true } now) failingChanged(now.Category, 1);
    }
}
