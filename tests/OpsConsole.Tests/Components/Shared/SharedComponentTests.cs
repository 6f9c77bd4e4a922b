using Bunit;
using Microsoft.Extensions.DependencyInjection;
using OpsConsole.Components.Shared;

namespace OpsConsole.Tests.Components.Shared;

/// <summary>bUnit and plain: how times, severities and long names are written everywhere in the console.</summary>
public sealed class SharedComponentTests : BunitTest
{
    private static readonly DateTimeOffset Now = DateTimeOffset.Parse("2026-11-23T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture);

    public SharedComponentTests() => Services.AddSingleton<TimeProvider>(new ManualClock(Now));

    [Theory]
    [InlineData(-10, "just now")]
    [InlineData(75, "1 min ago")]
    [InlineData(3 * 3600, "3 h ago")]
    [InlineData(30 * 3600, "Nov 22 06:00")]
    [InlineData(521 * 86400, "2025-06-20")]
    public void Times_older_than_a_day_show_their_date(int secondsAgo, string expected) =>
        Assert.Equal(expected, TimeText.Ago(Now.AddSeconds(-secondsAgo), Now));

    [Fact]
    public void The_hover_names_source_and_received_time()
    {
        var time = Render<RelativeTime>(p => p.Add(t => t.At, Now.AddMinutes(-5)).Add(t => t.Received, Now.AddMinutes(-4))).Find("time");

        Assert.Equal("5 min ago", time.TextContent);
        Assert.Equal("Source time: 2026-11-23 11:55:00 UTC\nReceived: 2026-11-23 11:56:00 UTC", time.GetAttribute("title"));
    }

    [Fact]
    public void Relative_times_are_rewritten_as_the_clock_moves()
    {
        var clock = new TimerClock(Now);
        Services.AddSingleton<TimeProvider>(clock);
        var time = Render<RelativeTime>(p => p.Add(t => t.At, Now));
        Assert.Equal("just now", time.Find("time").TextContent);
        Assert.True(clock.Period <= TimeSpan.FromSeconds(30), $"ticks every {clock.Period}");

        clock.Advance(TimeSpan.FromSeconds(75));
        clock.Tick();

        time.WaitForAssertion(() => Assert.Equal("1 min ago", time.Find("time").TextContent));
    }

    /// <summary>A clock whose timer the test fires by hand.</summary>
    private sealed class TimerClock(DateTimeOffset start) : TimeProvider
    {
        private DateTimeOffset _now = start;
        private (TimerCallback Callback, object? State)? _timer;

        public TimeSpan Period { get; private set; }

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;

        public void Tick() => _timer?.Callback(_timer.Value.State);

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            _timer = (callback, state);
            Period = period;
            return new Stopped();
        }

        private sealed class Stopped : ITimer
        {
            public bool Change(TimeSpan dueTime, TimeSpan period) => true;
            public void Dispose() { }
            public ValueTask DisposeAsync() => ValueTask.CompletedTask;
        }
    }

    [Fact]
    public void Long_names_keep_their_distinguishing_end()
    {
        const string name = "commerce-platform-production/checkout-recommendation-engine-worker-7f9c6b5d4-0aq3z/api";

        var cut = Render<MiddleEllipsis>(p => p.Add(m => m.Text, name));

        Assert.Equal(name, cut.Find(".middle-ellipsis").GetAttribute("title"));
        Assert.Equal("-7f9c6b5d4-0aq3z/api", cut.Find(".middle-ellipsis-tail").TextContent);
        Assert.Equal(name, cut.Find(".middle-ellipsis").TextContent.Trim());
    }

    [Theory]
    [InlineData("critical")]
    [InlineData("error")]
    [InlineData("warning")]
    public void Severity_badges_carry_their_severity_as_a_class(string severity)
    {
        var badge = Render<SeverityChip>(p => p.Add(s => s.Severity, severity)).Find(".severity-badge");

        Assert.Contains($"severity-{severity}", badge.ClassName);
        Assert.Equal(severity, badge.TextContent);
    }
}
