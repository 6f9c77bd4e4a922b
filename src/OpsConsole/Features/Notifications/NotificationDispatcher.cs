using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OpsConsole.Data;
using OpsConsole.Data.Notices;
using OpsConsole.Features.Cluster;
using OpsConsole.Features.Instances;
using OpsConsole.Features.Notifications.Formats;
using OpsConsole.Infrastructure;

namespace OpsConsole.Features.Notifications;

/// <summary>
/// Once per cluster, compares the shared instance states with what each channel has been told (notification_alerts)
/// and sends the difference: new failures (grouped by category within the route's window), repeats after the quiet
/// period, recoveries. It runs after each commit notice that may change a state (from any node) and at least every
/// poll interval; because it reads the store rather than this node's records, it sees every node's writes, and because
/// its memory is the table, a restart or another node taking over resends nothing. Muted, acknowledged and silenced
/// instances are not announced. A pass after notices reads only the instances they name and those with open alerts
/// (ingest runs one per commit, so it must not cost O(failing instances)); the poll's pass reads them all, for what
/// time alone changes (silences ending, channels added).
/// </summary>
public sealed class NotificationDispatcher(ChannelDirectory directory, NotificationSender sender, IDbContextFactory<OpsDbContext> databases,
    ICommitFeed notices, ConsoleOrigins origins, TimeProvider clock, IOptions<NotificationOptions> options, IClusterLease lease,
    ILogger<NotificationDispatcher> logger) : LeaderOnlyService(lease, logger)
{
    private const CommitKinds Wakers = CommitKinds.Records | CommitKinds.Classification | CommitKinds.Acknowledgement;

    /// <summary>The least time between two passes that notices started (a route's group window is a minute or more).</summary>
    internal static readonly TimeSpan NoticeGap = TimeSpan.FromMilliseconds(250);

    private readonly SemaphoreSlim _oneAtATime = new(1, 1);
    private readonly SemaphoreSlim _woken = new(0, 1);
    private readonly Lock _touchedGate = new();
    // The instances named by notices since the last pass; null: a notice named no instances, so any may have changed.
    private HashSet<string>? _touched = new(StringComparer.Ordinal);

    protected override string Job => "notifications";

    protected override async Task LeadAsync(CancellationToken cancellationToken)
    {
        using var subscription = notices.Subscribe(notice =>
        {
            if ((notice.Kinds & Wakers) == 0) return;
            Touch(notice);
            Wake();
        });
        var woken = false;
        while (!cancellationToken.IsCancellationRequested)
        {
            IReadOnlyCollection<string>? touched = null;
            if (woken)
            {
                lock (_touchedGate) (touched, _touched) = (_touched, new HashSet<string>(StringComparer.Ordinal));
            }
            try
            {
                await DispatchAsync(touched, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "Sending notifications failed; trying again on the next change or poll");
            }
            // Under sustained ingest a notice comes with every commit: passes at most every NoticeGap, each covering
            // every instance touched meanwhile, instead of two queries per commit competing with ingest for the CPU.
            if (woken) await Task.Delay(NoticeGap, cancellationToken);
            woken = await _woken.WaitAsync(options.Value.PollInterval, cancellationToken);
        }
    }

    /// <summary>
    /// Notes the instances a notice may have changed. New records name theirs on this node even past the notice's key
    /// limit; a repeated event's count (the other part of a records notice) changes no state.
    /// </summary>
    private void Touch(CommitNotice notice)
    {
        var keys = notice.InstanceKeys
                   ?? (notice.Kinds == CommitKinds.Records && notice.Records is { } added ? added.Select(r => r.InstanceKey) : null);
        lock (_touchedGate)
        {
            if (keys is null) _touched = null;
            else _touched?.UnionWith(keys);
        }
    }

    private void Wake()
    {
        // Already woken by another notice: one pass covers both. The count is checked first because a commit comes with
        // every ingest request and most find the pass already woken; the catch is for two notices racing past the check.
        if (_woken.CurrentCount > 0) return;
        try
        {
            _woken.Release();
        }
        catch (SemaphoreFullException)
        {
        }
    }

    /// <summary>One pass over every failing instance: decides what is due now, records it, then sends it. Gives the notifications sent.</summary>
    public Task<IReadOnlyList<(NotificationChannel Channel, Notification Notification)>> DispatchAsync(CancellationToken cancellationToken) =>
        DispatchAsync(null, cancellationToken);

    /// <summary>A pass over <paramref name="touched"/> and the instances with open alerts (null: every failing instance).</summary>
    internal async Task<IReadOnlyList<(NotificationChannel Channel, Notification Notification)>> DispatchAsync(IReadOnlyCollection<string>? touched,
        CancellationToken cancellationToken)
    {
        await _oneAtATime.WaitAsync(cancellationToken);
        try
        {
            var due = await DecideAsync(touched, cancellationToken);
            foreach (var (channel, notification) in due)
                await sender.SendAsync(channel, notification, cancellationToken);
            return due;
        }
        finally
        {
            _oneAtATime.Release();
        }
    }

    private async Task<List<(NotificationChannel, Notification)>> DecideAsync(IReadOnlyCollection<string>? touched, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var (allChannels, allRoutes) = await directory.ChannelsAndRoutesAsync(cancellationToken);
        var channels = allChannels.ToDictionary(c => c.Name, StringComparer.OrdinalIgnoreCase);
        var routes = allRoutes.Where(r => channels.ContainsKey(r.Channel)).ToList();
        await using var db = await databases.CreateDbContextAsync(cancellationToken);

        var alerts = await db.NotificationAlerts.Where(a => a.Status != NotificationAlert.Resolved).ToListAsync(cancellationToken);
        // Nothing routed and nothing said: nothing to say or unsay.
        if (routes.Count == 0 && alerts.Count == 0) return [];
        // An instance with an open alert is read too: whether it still fails decides its recovery.
        var readKeys = touched?.Concat(alerts.Select(a => a.InstanceKey)).Distinct(StringComparer.Ordinal).ToList();
        var candidates = db.InstanceStates.AsNoTracking().Where(s => s.IsFailing);
        if (readKeys is not null) candidates = candidates.Where(s => readKeys.Contains(s.InstanceKey));
        var failing = routes.Count == 0 ? [] : await candidates.ToListAsync(cancellationToken);
        var states = failing.ToDictionary(s => s.InstanceKey);
        var quiet = await QuietInstancesAsync(db, candidates, readKeys, states, cancellationToken);
        var open = alerts.ToDictionary(a => (a.Channel.ToLowerInvariant(), a.InstanceKey));
        var routeOf = new Dictionary<(string, string), Route>();

        foreach (var state in failing.Where(s => !quiet.Contains(s.InstanceKey)))
        foreach (var route in routes.Where(r => r.Matches(state)))
        {
            var key = (channels[route.Channel].Name.ToLowerInvariant(), state.InstanceKey);
            if (!routeOf.TryAdd(key, route)) continue; // the first matching route of a channel decides its timing
            if (open.TryGetValue(key, out var alert) && alert.Category == state.Category) continue;
            if (alert is null)
            {
                alert = await db.NotificationAlerts.FirstOrDefaultAsync(a => a.Channel == channels[route.Channel].Name && a.InstanceKey == state.InstanceKey, cancellationToken);
                if (alert is null) db.NotificationAlerts.Add(alert = new NotificationAlert
                {
                    Channel = channels[route.Channel].Name, InstanceKey = state.InstanceKey, Category = state.Category, Status = NotificationAlert.Pending,
                });
                open[key] = alert;
            }
            // A new failure, or a different one on an instance already announced: announce it under its new category
            // (Alertmanager lets the old alert lapse at its endsAt).
            alert.Category = state.Category;
            alert.Status = NotificationAlert.Pending;
            alert.DetectedAt = now;
        }

        var due = new List<(NotificationChannel, Notification)>();
        foreach (var group in open.Values.GroupBy(a => (a.Channel.ToLowerInvariant(), a.Category)))
        {
            if (!channels.TryGetValue(group.Key.Item1, out var channel)) continue;
            var firing = new List<NotificationAlert>();
            var resolved = new List<NotificationAlert>();
            var pending = new List<NotificationAlert>();
            foreach (var alert in group)
            {
                var still = states.TryGetValue(alert.InstanceKey, out var state) && state.Category == alert.Category;
                var route = routeOf.GetValueOrDefault((group.Key.Item1, alert.InstanceKey));
                if (!still)
                {
                    // Recovered (or, while quiet, failing differently). Only what was said is unsaid.
                    if (alert.Status == NotificationAlert.Firing) resolved.Add(alert);
                    else db.NotificationAlerts.Remove(alert);
                }
                else if (route is null)
                {
                    // Muted, acknowledged, silenced or no longer routed here: nothing more until it changes.
                    if (alert.Status == NotificationAlert.Pending) db.NotificationAlerts.Remove(alert);
                }
                else if (alert.Status == NotificationAlert.Pending) pending.Add(alert);
                else if (alert.SentAt + RepeatInterval(channel, route) <= now) firing.Add(alert);
            }
            // A group goes out when its oldest member's window has passed, taking everything found meanwhile.
            if (pending.Count > 0 && pending.Any(a => a.DetectedAt + routeOf[(group.Key.Item1, a.InstanceKey)].GroupWindow <= now))
                firing.AddRange(pending);
            if (await ComposeAsync(db, true, firing, states, now, cancellationToken) is { } announcement) due.Add((channel, announcement));
            if (resolved.Count > 0)
            {
                var keys = resolved.Select(a => a.InstanceKey).ToList();
                var lastKnown = await db.InstanceStates.AsNoTracking().Where(s => keys.Contains(s.InstanceKey)).ToDictionaryAsync(s => s.InstanceKey, cancellationToken);
                if (await ComposeAsync(db, false, resolved, lastKnown, now, cancellationToken) is { } recovery) due.Add((channel, recovery));
            }
            foreach (var alert in firing) (alert.Status, alert.SentAt) = (NotificationAlert.Firing, now);
            foreach (var alert in resolved) (alert.Status, alert.SentAt) = (NotificationAlert.Resolved, now);
        }
        // Recorded before sending: a crash between the two loses a message rather than repeating it on every node.
        await db.SaveChangesAsync(cancellationToken);
        return due;
    }

    /// <summary>Alertmanager forgets an alert unless it is re-sent before its endsAt, whatever the route's quiet period.</summary>
    private static TimeSpan RepeatInterval(NotificationChannel channel, Route route) =>
        channel.Type == ChannelTypes.Alertmanager ? AlertmanagerFormat.ResendInterval : route.RepeatAfter;

    /// <summary>
    /// The message for these alerts, each instance as its state stands now under the alert's category, with the evidence
    /// of its last record; null when none is left to name.
    /// </summary>
    private async Task<Notification?> ComposeAsync(OpsDbContext db, bool firing, List<NotificationAlert> alerts, Dictionary<string, InstanceState> states,
        DateTimeOffset now, CancellationToken cancellationToken)
    {
        var named = alerts.Where(a => states.ContainsKey(a.InstanceKey)).ToList();
        if (named.Count == 0) return null;
        var recordIds = named.Select(a => states[a.InstanceKey].LastRecordId).ToList();
        var evidence = await db.Records.AsNoTracking().Where(r => recordIds.Contains(r.Id))
            .Select(r => new { r.Id, r.Evidence, r.Message }).ToDictionaryAsync(r => r.Id, r => r.Evidence is { Length: > 0 } e ? e : r.Message, cancellationToken);
        var instances = named.Select(a => states[a.InstanceKey])
            .Select(s => NotifiedInstance.Of(s, origins.BackgroundBaseUrl, alerts.First(a => a.InstanceKey == s.InstanceKey).Category, evidence.GetValueOrDefault(s.LastRecordId) ?? s.LastMessage))
            .OrderBy(i => i.InstanceKey, StringComparer.Ordinal).ToList();
        return new Notification(firing, instances, now);
    }

    /// <summary>
    /// Instances nobody should be told about: muted ones, acknowledged ones with no failure since, and those an active
    /// silence matches.
    /// </summary>
    private async Task<HashSet<string>> QuietInstancesAsync(OpsDbContext db, IQueryable<InstanceState> candidates, List<string>? keys,
        IReadOnlyDictionary<string, InstanceState> failing, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var quiet = new HashSet<string>(StringComparer.Ordinal);
        if (failing.Count == 0) return quiet;
        var acknowledgements = db.Acknowledgements.AsNoTracking();
        if (keys is not null) acknowledgements = acknowledgements.Where(a => keys.Contains(a.InstanceKey));
        foreach (var ack in await acknowledgements.ToListAsync(cancellationToken))
            if (ack.Status == InstanceAcknowledgement.Muted
                || (failing.TryGetValue(ack.InstanceKey, out var state) && (ack.LastFailureAt is null || state.LastFailureAt <= ack.LastFailureAt)))
                quiet.Add(ack.InstanceKey);
        var silences = await db.Silences.AsNoTracking().Where(s => s.EndedAt == null && s.CreatedAt <= now).ToListAsync(cancellationToken);
        foreach (var silence in silences.Where(s => s.EndsAt is null || s.EndsAt > now))
            quiet.UnionWith(await silence.Match(candidates).Select(s => s.InstanceKey).ToListAsync(cancellationToken));
        return quiet;
    }

    /// <summary>Sends a test message to a channel now (the page's button), recorded like any other delivery.</summary>
    public async Task<NotificationDelivery> SendTestAsync(NotificationChannel channel, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var baseUrl = origins.BackgroundBaseUrl;
        var instance = new NotifiedInstance("test/opsconsole", "OpsConsole test message", "opsconsole", null, new Dictionary<string, string>(),
            Classification.Taxonomy.Unknown, "info", $"A test message from {baseUrl}, sent from /admin/channels.",
            $"{baseUrl}/runbooks/{Classification.Taxonomy.Unknown}", $"{baseUrl}/admin/channels", now, now, 1);
        return await sender.SendAsync(channel, new Notification(true, [instance], now) { IsTest = true }, cancellationToken);
    }
}
