using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace OpsConsole.Features.Runbooks;

/// <summary>
/// One tick or untick of a runbook step while working a failure (an instance and the record that opened the
/// runbook). Rows are only added, so the instance timeline can show who did what when; the latest row per step wins.
/// </summary>
public sealed class RunbookStepMark
{
    public long Id { get; set; }
    public required string InstanceKey { get; set; }
    public long RecordId { get; set; }
    public required string Category { get; set; }
    public required string StepId { get; set; }
    public required string StepText { get; set; }
    public bool Done { get; set; }
    public DateTimeOffset At { get; set; }

    /// <summary>Who ticked it; null on rows from before sign-in existed.</summary>
    public string? By { get; set; }
}

internal sealed class RunbookStepMarkConfiguration : IEntityTypeConfiguration<RunbookStepMark>
{
    public void Configure(EntityTypeBuilder<RunbookStepMark> builder)
    {
        builder.ToTable("runbook_steps");
        builder.Property(m => m.StepText).HasMaxLength(500);
        builder.HasIndex(m => new { m.InstanceKey, m.RecordId });
    }
}
