using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OpsConsole.Data;

namespace OpsConsole.Features.Notifications;

/// <summary>A channel ready to send to: from configuration or added on the page (then decrypted here, never shown).</summary>
public sealed record NotificationChannel(string Name, string Type, string Url, string? Secret, bool FromConfiguration)
{
    public string MaskedUrl => ChannelDirectory.Mask(Url);
}

/// <summary>
/// Every channel and route: configuration's and those admins added on /admin/channels, whose URL and secret are stored
/// encrypted with ASP.NET Data Protection and only ever decrypted to send.
/// </summary>
public sealed class ChannelDirectory(IOptions<NotificationOptions> options, IDbContextFactory<OpsDbContext> databases,
    IDataProtectionProvider protection, TimeProvider clock, ILogger<ChannelDirectory> logger)
{
    private readonly IDataProtector _protector = protection.CreateProtector("OpsConsole.Notifications.Channels");
    private readonly List<Route> _configuredRoutes = options.Value.Routes.Select(r => new Route(r)).ToList();

    public async Task<IReadOnlyList<NotificationChannel>> ChannelsAsync(CancellationToken cancellationToken) => Channels(await StoredAsync(cancellationToken));

    /// <summary>Every channel and route from one read of the stored channels (the dispatcher's pass after each commit).</summary>
    public async Task<(IReadOnlyList<NotificationChannel> Channels, IReadOnlyList<Route> Routes)> ChannelsAndRoutesAsync(CancellationToken cancellationToken)
    {
        var stored = await StoredAsync(cancellationToken);
        return (Channels(stored), Routes(stored));
    }

    private List<NotificationChannel> Channels(List<StoredChannel> storedChannels)
    {
        var channels = options.Value.Channels.Select(c => new NotificationChannel(c.Name!, c.Type!, c.Url!, c.Secret, true)).ToList();
        foreach (var stored in storedChannels)
        {
            try
            {
                channels.Add(new NotificationChannel(stored.Name, stored.Type, _protector.Unprotect(stored.ProtectedUrl),
                    stored.ProtectedSecret is { } secret ? _protector.Unprotect(secret) : null, false));
            }
            catch (System.Security.Cryptography.CryptographicException ex)
            {
                // Encrypted under a key this node lacks (another node's, or a lost key ring): skipped, not fatal.
                logger.LogWarning(ex, "Channel {Channel} cannot be decrypted on this node; it is skipped", stored.Name);
            }
        }
        return channels;
    }

    /// <summary>Configured routes, then one per channel added on the page (every failure at its minimum severity).</summary>
    private List<Route> Routes(List<StoredChannel> stored) =>
        [.. _configuredRoutes, .. stored.Select(s => new Route(new RouteOptions { Channel = s.Name, MinSeverity = s.MinSeverity }))];

    public async Task<List<StoredChannel>> StoredAsync(CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        return await db.NotificationChannels.AsNoTracking().OrderBy(c => c.Name).ToListAsync(cancellationToken);
    }

    /// <summary>Adds a channel from the page; gives the problem instead when its fields are wrong or its name is taken.</summary>
    public async Task<string?> AddAsync(string name, string type, string url, string? secret, string minSeverity, string by, CancellationToken cancellationToken)
    {
        name = name.Trim();
        if (ChannelTypes.Problem(name, type, url, secret) is { } problem) return problem + ".";
        if (!Classification.Taxonomy.Severities.Contains(minSeverity)) return $"Minimum severity '{minSeverity}' is unknown.";
        if (options.Value.Channels.Any(c => string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase))) return $"A configured channel is named '{name}'.";
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        if (await db.NotificationChannels.AnyAsync(c => c.Name == name, cancellationToken)) return $"A channel is named '{name}' already.";
        db.NotificationChannels.Add(new StoredChannel
        {
            Name = name, Type = type, ProtectedUrl = _protector.Protect(url), ProtectedSecret = string.IsNullOrEmpty(secret) ? null : _protector.Protect(secret),
            MinSeverity = minSeverity, MaskedUrl = Mask(url), CreatedBy = by, CreatedAt = clock.GetUtcNow(),
        });
        await db.SaveChangesAsync(cancellationToken);
        return null;
    }

    public async Task<bool> RemoveAsync(string name, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        return await db.NotificationChannels.Where(c => c.Name == name).ExecuteDeleteAsync(cancellationToken) > 0;
    }

    public async Task<IReadOnlyList<NotificationDelivery>> RecentDeliveriesAsync(int count, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        return await db.NotificationDeliveries.AsNoTracking().OrderByDescending(d => d.Id).Take(count).ToListAsync(cancellationToken);
    }

    /// <summary>Scheme and host only: webhook URLs carry their credential in the path or query.</summary>
    public static string Mask(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) ? $"{uri.Scheme}://{uri.Authority}/…" : "…";
}
