using System.Diagnostics;

namespace OpsConsole.Tests.Features.Notifications;

/// <summary>
/// The issue's "done when", on the real clock with the dispatcher running by itself: a failing record posted to the
/// console reaches the configured receiver within 5 s with its runbook link, once; its recovery resolves it.
/// </summary>
public sealed class NotifyWithinSecondsTests
{
    [Fact]
    public async Task A_failing_record_reaches_the_receiver_within_five_seconds_once_and_its_recovery_resolves_it()
    {
        await using var receiver = await Receiver.StartAsync();
        using var console = new NotificationConsole(NotificationConsole.OneChannel("webhook", receiver.Url + "/hook", "k"));
        _ = console.Services; // started: the dispatcher is running

        var watch = Stopwatch.StartNew();
        var key = await console.ExitAsync("done-host", "api");
        var firing = (await receiver.NextAsync(TimeSpan.FromSeconds(5))).Json;
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed}");
        Assert.Equal(("firing", key), (firing.GetProperty("status").GetString(), firing.GetProperty("instance").GetString()));
        Assert.Matches(@"/runbooks/[a-z0-9.-]+\?record=\d+$", firing.GetProperty("runbookUrl").GetString());

        // Once: the dispatcher keeps polling and hearing commits, and says nothing more about it.
        await console.ExitAsync("done-host", "api");
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.Empty(receiver.Drain());

        await console.ExitAsync("done-host", "api", "running");
        var resolved = (await receiver.NextAsync(TimeSpan.FromSeconds(5))).Json;
        Assert.Equal(("resolved", key), (resolved.GetProperty("status").GetString(), resolved.GetProperty("instance").GetString()));
    }
}
