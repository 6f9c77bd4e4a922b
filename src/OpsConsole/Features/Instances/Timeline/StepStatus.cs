namespace OpsConsole.Features.Instances.Timeline;

/// <summary>How far a pipeline step got, for the stage strip, the request trace and the boot sequence.</summary>
public enum StepStatus
{
    /// <summary>Reached and passed.</summary>
    Done,

    /// <summary>Where it failed.</summary>
    Failed,

    /// <summary>In progress, or the last step reported while the operation is still running.</summary>
    Current,

    /// <summary>Not reached (the operation failed or stopped earlier).</summary>
    NotReached,

    /// <summary>An expected step that never happened although the operation ended: the gap to look at.</summary>
    Missing,
}

public sealed record PipelineStep(string Name, StepStatus Status, string? Detail = null, long? RecordId = null);
