using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OpsConsole.Data;

namespace OpsConsole.Tests.Features.Notifications;

/// <summary>
/// What goes out when, on a clock the test moves: identical new failures within the group window as one message, a
/// still-failing instance again only after the quiet period, a resolved message on recovery, nothing for muted,
/// acknowledged or silenced instances. The generic webhook shows it plainly.
/// </summary>
public sealed class DispatchTests : IAsyncLifetime
{
    private readonly ManualClock _clock = new(DateTimeOffset.Parse("2026-03-02T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
    private Receiver _receiver = null!;
    private NotificationConsole _console = null!;

    public async Task InitializeAsync()
    {
        _receiver = await Receiver.StartAsync();
        _console = new NotificationConsole(NotificationConsole.OneChannel("webhook", _receiver.Url + "/hook", "k", groupWindow: "00:01:00", repeatAfter: "01:00:00"), _clock);
    }

    public async Task DisposeAsync()
    {
        _console.Dispose();
        await _receiver.DisposeAsync();
    }

    /// <summary>Runs the dispatcher and gives the bodies that reached the receiver.</summary>
    private async Task<List<JsonElement>> DispatchAsync()
    {
        await _console.DispatchAsync();
        return _receiver.Drain().Select(r => r.Json).ToList();
    }

    [Fact]
    public async Task Identical_failures_within_the_window_go_out_as_one_message_and_repeat_only_after_the_quiet_period()
    {
        var keys = new List<string>();
        for (var i = 0; i < 3; i++) keys.Add(await _console.ExitAsync("group-host", $"api-{i}"));
        Assert.Empty(await DispatchAsync()); // the window is still open

        _clock.Advance(TimeSpan.FromSeconds(61));
        var group = Assert.Single(await DispatchAsync());
        Assert.Equal("firing", group.GetProperty("status").GetString());
        Assert.Equal(keys.Order(StringComparer.Ordinal), group.GetProperty("instances").EnumerateArray().Select(i => i.GetProperty("instance").GetString()));
        Assert.StartsWith("3 instances in group-host", group.GetProperty("summary").GetString());

        _clock.Advance(TimeSpan.FromMinutes(30));
        Assert.Empty(await DispatchAsync()); // still failing, but within the quiet period

        _clock.Advance(TimeSpan.FromMinutes(31));
        var repeat = Assert.Single(await DispatchAsync());
        Assert.Equal(3, repeat.GetProperty("instances").GetArrayLength());
        Assert.Empty(await DispatchAsync());
    }

    [Fact]
    public async Task A_recovered_instance_gets_one_resolved_message()
    {
        var key = await _console.ExitAsync("recover-host", "db");
        Assert.Empty(await DispatchAsync());
        _clock.Advance(TimeSpan.FromSeconds(61));
        Assert.Equal("firing", Assert.Single(await DispatchAsync()).GetProperty("status").GetString());

        _clock.Advance(TimeSpan.FromSeconds(5));
        await _console.ExitAsync("recover-host", "db", "running");
        var resolved = Assert.Single(await DispatchAsync());
        Assert.Equal("resolved", resolved.GetProperty("status").GetString());
        Assert.Equal(key, resolved.GetProperty("instance").GetString());
        Assert.StartsWith("Resolved: ", resolved.GetProperty("summary").GetString());
        Assert.NotEqual("none", resolved.GetProperty("category").GetString());

        _clock.Advance(TimeSpan.FromHours(2));
        Assert.Empty(await DispatchAsync());
    }

    [Fact]
    public async Task Muted_acknowledged_and_silenced_instances_never_notify()
    {
        var api = _console.CreateApiClient();
        var muted = await _console.ExitAsync("quiet-host", "muted");
        var acknowledged = await _console.ExitAsync("quiet-host", "acked");
        Assert.True((await api.PutAsJsonAsync($"/api/v1/instances/{Uri.EscapeDataString(muted)}/acknowledgement", new { status = "muted", note = "known" })).IsSuccessStatusCode);
        Assert.True((await api.PutAsJsonAsync($"/api/v1/instances/{Uri.EscapeDataString(acknowledged)}/acknowledgement", new { status = "acknowledged", note = "on it" })).IsSuccessStatusCode);
        Assert.True((await api.PostAsJsonAsync("/api/v1/silences",
            new { instancePattern = "*silenced-host*", reason = "maintenance", endsAt = _clock.Now.AddHours(3) })).IsSuccessStatusCode);
        await _console.ExitAsync("silenced-host", "db");
        var loud = await _console.ExitAsync("loud-host", "db");
        Assert.Empty(await DispatchAsync()); // found; its group window opens

        _clock.Advance(TimeSpan.FromMinutes(2));
        var sent = Assert.Single(await DispatchAsync());
        Assert.Equal(loud, sent.GetProperty("instance").GetString());
        _clock.Advance(TimeSpan.FromMinutes(50));
        Assert.Empty(await DispatchAsync());
    }

    [Fact]
    public async Task What_was_sent_is_remembered_in_the_database_so_another_dispatcher_does_not_resend_it()
    {
        await _console.ExitAsync("memory-host", "db");
        Assert.Empty(await DispatchAsync());
        _clock.Advance(TimeSpan.FromSeconds(61));
        Assert.Single(await DispatchAsync());

        // A second dispatcher over the same store, as on another node after a take-over.
        var other = ActivatorUtilities.CreateInstance<OpsConsole.Features.Notifications.NotificationDispatcher>(_console.Services);
        Assert.Empty(await other.DispatchAsync(CancellationToken.None));
        Assert.Empty(_receiver.Drain());
        await using var db = await _console.Services.GetRequiredService<IDbContextFactory<OpsDbContext>>().CreateDbContextAsync();
        Assert.Equal("firing", (await db.NotificationAlerts.SingleAsync()).Status);
    }
}
