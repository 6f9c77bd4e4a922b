using OpsConsole.Features.Instances;
using Fact = OpsConsole.Features.Instances.ActiveCondition.Fact;

namespace OpsConsole.Tests.Features.Instances;

/// <summary>An instance's state is its worst active condition, not merely its newest record.</summary>
public sealed class ActiveConditionTests
{
    private static readonly DateTimeOffset T0 = DateTimeOffset.Parse("2026-11-23T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture);

    private static Fact Failure(long id, int minute, string severity) => new(id, T0.AddMinutes(minute), true, severity);
    private static Fact Healthy(long id, int minute) => new(id, T0.AddMinutes(minute), false, "info");

    [Fact]
    public void A_newer_milder_failure_does_not_hide_a_worse_one_still_active()
    {
        var crashLoop = Failure(1, 0, "critical");

        var decided = ActiveCondition.Decide(crashLoop, crashLoop.At, crashLoop.At, [Failure(2, 5, "warning")]);

        Assert.Equal(1, decided.RecordId);
    }

    [Fact]
    public void A_later_non_failure_clears_it_and_then_the_newest_record_decides()
    {
        var crashLoop = Failure(1, 0, "critical");

        var decided = ActiveCondition.Decide(crashLoop, crashLoop.At, crashLoop.At, [Healthy(2, 5)]);

        Assert.Equal(2, decided.RecordId);
        Assert.False(decided.IsFailure);
    }

    [Fact]
    public void A_non_failure_at_the_same_instant_does_not_clear_a_failure()
    {
        var decided = ActiveCondition.Decide(null, null, null, [Healthy(2, 3), Failure(1, 3, "error")]);

        Assert.Equal(1, decided.RecordId);
    }

    [Fact]
    public void A_non_failure_older_than_the_stored_failure_changes_nothing()
    {
        var stored = Failure(1, 10, "error");

        var decided = ActiveCondition.Decide(stored, stored.At, stored.At, [Healthy(2, 5)]);

        Assert.Equal(1, decided.RecordId);
    }

    [Fact]
    public void Within_one_batch_the_worst_failure_after_the_last_recovery_decides()
    {
        Fact[] batch = [Failure(1, 0, "critical"), Healthy(2, 1), Failure(3, 2, "warning"), Failure(4, 3, "error"), Failure(5, 4, "warning")];

        Assert.Equal(4, ActiveCondition.Decide(null, null, null, batch).RecordId);
    }

    [Fact]
    public void Equal_severity_goes_to_the_newer_failure()
    {
        var stored = Failure(1, 0, "error");

        Assert.Equal(2, ActiveCondition.Decide(stored, stored.At, stored.At, [Failure(2, 1, "error")]).RecordId);
    }
}
