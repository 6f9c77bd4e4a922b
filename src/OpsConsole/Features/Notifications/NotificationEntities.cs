using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace OpsConsole.Features.Notifications;

/// <summary>
/// What one channel has been told about one instance, kept in the database so a restart or another node neither
/// resends nor forgets: a failure waits as <see cref="Pending"/> for its group window, is <see cref="Firing"/> once
/// sent, and <see cref="Resolved"/> once its recovery went out.
/// </summary>
public sealed class NotificationAlert
{
    public const string Pending = "pending";
    public const string Firing = "firing";
    public const string Resolved = "resolved";

    public long Id { get; set; }
    public required string Channel { get; set; }
    public required string InstanceKey { get; set; }
    public required string Category { get; set; }
    public required string Status { get; set; }

    /// <summary>When the dispatcher first saw this failure (the start of its group window).</summary>
    public DateTimeOffset DetectedAt { get; set; }

    /// <summary>The last time it went out (firing or resolved); null while pending.</summary>
    public DateTimeOffset? SentAt { get; set; }
}

/// <summary>One send to a channel, whatever came of it: the channel page lists these.</summary>
public sealed class NotificationDelivery
{
    public const string Delivered = "delivered";
    public const string Failed = "failed";

    public long Id { get; set; }
    public DateTimeOffset At { get; set; }
    public required string Channel { get; set; }

    /// <summary>What was sent: "firing k8s.crash-loop: 12 instances", "test message".</summary>
    public required string What { get; set; }

    public required string Status { get; set; }
    public string? Error { get; set; }
    public int Attempts { get; set; }
}

/// <summary>A channel an admin added on the page; its URL and secret are stored encrypted with ASP.NET Data Protection.</summary>
public sealed class StoredChannel
{
    public int Id { get; set; }
    public required string Name { get; set; }
    public required string Type { get; set; }
    public required string ProtectedUrl { get; set; }
    public string? ProtectedSecret { get; set; }

    /// <summary>A UI channel's one route: every failure at least this severe.</summary>
    public required string MinSeverity { get; set; }

    /// <summary>The URL's scheme and host, the only part shown again.</summary>
    public required string MaskedUrl { get; set; }

    public required string CreatedBy { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

internal sealed class NotificationAlertConfiguration : IEntityTypeConfiguration<NotificationAlert>
{
    public void Configure(EntityTypeBuilder<NotificationAlert> builder)
    {
        builder.ToTable("notification_alerts");
        builder.Property(a => a.Channel).HasMaxLength(200);
        builder.Property(a => a.Status).HasMaxLength(20);
        builder.HasIndex(a => new { a.Channel, a.InstanceKey }).IsUnique();
        builder.HasIndex(a => a.Status);
    }
}

internal sealed class NotificationDeliveryConfiguration : IEntityTypeConfiguration<NotificationDelivery>
{
    public void Configure(EntityTypeBuilder<NotificationDelivery> builder)
    {
        builder.ToTable("notification_deliveries");
        builder.Property(d => d.Channel).HasMaxLength(200);
        builder.Property(d => d.What).HasMaxLength(500);
        builder.Property(d => d.Status).HasMaxLength(20);
        builder.Property(d => d.Error).HasMaxLength(2000);
        builder.HasIndex(d => d.At);
    }
}

internal sealed class StoredChannelConfiguration : IEntityTypeConfiguration<StoredChannel>
{
    public void Configure(EntityTypeBuilder<StoredChannel> builder)
    {
        builder.ToTable("notification_channels");
        builder.Property(c => c.Name).HasMaxLength(200);
        builder.Property(c => c.Type).HasMaxLength(20);
        builder.Property(c => c.MinSeverity).HasMaxLength(20);
        builder.Property(c => c.MaskedUrl).HasMaxLength(300);
        builder.Property(c => c.CreatedBy).HasMaxLength(256);
        builder.HasIndex(c => c.Name).IsUnique();
    }
}
