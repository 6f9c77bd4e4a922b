using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace OpsConsole.Features.Instances;

/// <summary>
/// An operator's acknowledgement or mute of a failing instance, with a note. Acknowledged rows stay on the
/// failing list, marked; muted rows are hidden unless asked for. Failures newer than <see cref="LastFailureAt"/>
/// are shown as new since the acknowledgement.
/// </summary>
public sealed class InstanceAcknowledgement
{
    public const string Acknowledged = "acknowledged";
    public const string Muted = "muted";

    public required string InstanceKey { get; set; }
    public required string Status { get; set; }
    public string? Note { get; set; }
    public DateTimeOffset At { get; set; }

    /// <summary>Who did it (the signed-in user, proxy user or API key); null on rows from before sign-in existed.</summary>
    public string? By { get; set; }

    /// <summary>When a mute ends by itself (null for acknowledgements and until-recovered mutes).</summary>
    public DateTimeOffset? ExpiresAt { get; set; }

    /// <summary>A mute that ends once the instance is no longer failing.</summary>
    public bool UntilRecovered { get; set; }

    /// <summary>The instance's last failure when it was acknowledged.</summary>
    public DateTimeOffset? LastFailureAt { get; set; }
}

internal sealed class InstanceAcknowledgementConfiguration : IEntityTypeConfiguration<InstanceAcknowledgement>
{
    public void Configure(EntityTypeBuilder<InstanceAcknowledgement> builder)
    {
        builder.ToTable("instance_acknowledgements");
        builder.HasKey(a => a.InstanceKey);
        builder.Property(a => a.Status).HasMaxLength(20);
        builder.Property(a => a.Note).HasMaxLength(2000);
    }
}
