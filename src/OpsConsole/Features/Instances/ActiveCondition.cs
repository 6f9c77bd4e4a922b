namespace OpsConsole.Features.Instances;

/// <summary>
/// Which record decides an instance's state: its worst <em>active</em> condition. A failure stays active until a
/// non-failure at a later instant clears it (the crash-looping container runs again, the server reaches ACTIVE), so a
/// newer, milder failure never hides a worse one still going on. With no failure active, the newest record decides.
/// The write path (<see cref="Decide"/>) and the rebuild SQL in the record store apply this same rule.
/// </summary>
public static class ActiveCondition
{
    /// <summary>One record as far as the decision goes.</summary>
    public readonly record struct Fact(long RecordId, DateTimeOffset At, bool IsFailure, string Severity);

    /// <summary>0 is worst.</summary>
    public static int Rank(string severity) => severity switch
    {
        "critical" => 0,
        "error" => 1,
        "warning" => 2,
        "info" => 3,
        _ => 4,
    };

    /// <summary>
    /// The deciding fact once <paramref name="incoming"/> (one batch, any order) joins the stored state: its deciding
    /// fact (<paramref name="stored"/>, dated by the stored last failure when failing), its newest record time and its
    /// last failure time.
    /// </summary>
    public static Fact Decide(Fact? stored, DateTimeOffset? storedNewestAt, DateTimeOffset? storedLastFailureAt, IReadOnlyCollection<Fact> incoming)
    {
        var clearedAt = incoming.Where(f => !f.IsFailure).Select(f => (DateTimeOffset?)f.At).Max();
        // A non-failure at the same instant as a failure does not clear it (MAAS logs both in one second).
        var worstIncoming = incoming.Where(f => f.IsFailure && (clearedAt is null || f.At >= clearedAt))
            .OrderBy(f => Rank(f.Severity)).ThenByDescending(f => f.At).ThenByDescending(f => f.RecordId)
            .Cast<Fact?>().FirstOrDefault();
        var storedActive = stored is { IsFailure: true } s
                           && (clearedAt is null || (storedLastFailureAt ?? s.At) >= clearedAt) ? stored : null;

        if (storedActive is { } held && worstIncoming is { } challenger)
        {
            var rankHeld = Rank(held.Severity);
            var rankChallenger = Rank(challenger.Severity);
            return rankChallenger < rankHeld || (rankChallenger == rankHeld && challenger.At >= (storedLastFailureAt ?? held.At)) ? challenger : held;
        }
        if (worstIncoming is { } only) return only;
        if (storedActive is { } kept) return kept;

        var newest = incoming.OrderByDescending(f => f.At).ThenByDescending(f => f.RecordId).First();
        return stored is { IsFailure: false } healthy && storedNewestAt > newest.At ? healthy : newest;
    }
}
