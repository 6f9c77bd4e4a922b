namespace OpsConsole.Features.Classification;

/// <summary>A failure category: its id is a public contract (URLs, API, metric labels, rule files).</summary>
public sealed record Category(string Id, string Family, string Title)
{
    public bool IsFailure => Id != Taxonomy.None;
}

/// <summary>The failure taxonomy (shared/spec/taxonomy.md). Ids may be added, never renamed or dropped.</summary>
public static class Taxonomy
{
    public const string None = "none";
    public const string Unknown = "unknown";

    public static IReadOnlyList<string> Severities { get; } = ["critical", "error", "warning", "info"];

    /// <summary>A severity's place in <see cref="Severities"/>: 0 is worst; anything else sorts last.</summary>
    public static int SeverityRank(string severity) => ((IList<string>)Severities).IndexOf(severity) is var i and >= 0 ? i : Severities.Count;

    public static IReadOnlyList<Category> All { get; } =
    [
        new("deploy.blob-url-resolution", "deploy", "Blob URLs could not be resolved"),
        new("deploy.stalled", "deploy", "Stuck activating, nothing reported"),
        new("deploy.download.network-unreachable", "deploy", "Download server unreachable"),
        new("deploy.download.timeout", "deploy", "Download timed out"),
        new("deploy.download.http-404", "deploy", "Blob gone or URL expired (HTTP 404)"),
        new("deploy.download.http-403", "deploy", "Download token expired or revoked (HTTP 403)"),
        new("deploy.download.http-5xx", "deploy", "Storage service error (HTTP 5xx)"),
        new("deploy.download.disk-full", "deploy", "No space for the download"),
        new("deploy.download.interrupted", "deploy", "Download interrupted, retries used up"),
        new("deploy.verify.checksum", "deploy", "Content does not match its digest"),
        new("deploy.launch.missing-layer", "deploy", "Layer path cannot be resolved"),
        new("deploy.launch.overlay-mount", "deploy", "Root filesystem overlay mount failed"),
        new("deploy.launch.invalid-config", "deploy", "Image manifest or config unusable"),
        new("deploy.launch.resources", "deploy", "No memory or PIDs to create the instance"),
        new("deploy.launch.systemd-unit", "deploy", "Transient systemd unit could not be created"),
        new("deploy.launch.timeout", "deploy", "Instance did not come up in time"),

        new("unit.node-error", "unit", "Node in error or disconnected"),
        new("unit.config-error", "unit", "Unit configuration rejected"),
        new("unit.core-component", "unit", "Aos core component reported an error"),
        new("unit.quota", "unit", "Resource near or over its quota"),
        new("unit.instance-log", "unit", "Instance alert or log line"),

        new("exit.completed", "exit", "Exited 0"),
        new("exit.app-error", "exit", "Application error (exit 1)"),
        new("exit.shell-misuse", "exit", "Shell misuse or bad script syntax (exit 2)"),
        new("exit.run-command", "exit", "Runtime could not run the command (exit 125)"),
        new("exit.not-executable", "exit", "Entrypoint not executable (exit 126)"),
        new("exit.command-not-found", "exit", "Entrypoint or library not found (exit 127)"),
        new("exit.invalid-exit-argument", "exit", "Invalid exit argument (exit 128)"),
        new("exit.abort", "exit", "Aborted, SIGABRT (exit 134)"),
        new("exit.oom-killed", "exit", "Killed for memory (OOM)"),
        new("exit.sigkill", "exit", "Killed, SIGKILL without OOM evidence (exit 137)"),
        new("exit.segfault", "exit", "Segmentation fault, SIGSEGV (exit 139)"),
        new("exit.sigterm", "exit", "Stopped gracefully, SIGTERM (exit 143)"),
        new("exit.out-of-range", "exit", "Exit status out of range (exit 255)"),
        new("exit.other", "exit", "Other non-zero exit"),

        new("restart.crash-loop", "restart", "Crash loop, restart budget exhausted"),

        new("image.pull-auth", "image", "Registry refused the credentials"),
        new("image.pull-not-found", "image", "Image or manifest does not exist"),
        new("image.pull-network", "image", "Registry slow or unreachable"),
        new("image.corrupt", "image", "Fetched data does not match its digest"),
        new("image.fuse-read", "image", "Lazy-loaded layer read failed"),
        new("image.lazy-load-fallback", "image", "Remote mount failed, fell back to a full pull"),
        new("image.pull-failed", "image", "Image pull failed, cause not stated"),
        new("container.config-error", "container", "Config references something missing"),
        new("container.unschedulable", "container", "No node can take the workload"),
        new("container.evicted", "container", "Evicted under node resource pressure"),
        new("container.probe-failed", "container", "Health probe keeps failing"),

        new("vm.api.auth", "vm", "Token not valid"),
        new("vm.api.quota", "vm", "Project quota exceeded"),
        new("vm.api.forbidden", "vm", "Policy forbids the action"),
        new("vm.api.invalid-request", "vm", "Request names an unknown flavor, image or network"),
        new("vm.schedule.no-valid-host", "vm", "No valid host found"),
        new("vm.schedule.retries-exhausted", "vm", "Build failed on every candidate host"),
        new("vm.compute.image", "vm", "Image unavailable, corrupt or rejected"),
        new("vm.compute.network", "vm", "Network or port allocation failed"),
        new("vm.compute.volume", "vm", "Boot volume or block device mapping failed"),
        new("vm.compute.hypervisor", "vm", "Hypervisor could not spawn the VM"),
        new("vm.compute.service-down", "vm", "Compute service down or disabled"),
        new("vm.boot.cloud-init", "vm", "Guest configuration from metadata failed"),
        new("vm.stalled", "vm", "Stuck in BUILD, nothing reported"),
        new("vm.build-failed", "vm", "Build failed, cause not in this report"),

        new("node.commission.controller-unreachable", "node", "Booted but never reported back to the controller"),
        new("node.commission.timeout", "node", "Commissioning timed out"),
        new("node.commission.script-failed", "node", "Commissioning script failed"),
        new("node.deploy.failed", "node", "Deployment failed"),
        new("node.power.failed", "node", "Power action or BMC failed"),
        new("node.failed", "node", "Machine failed or broken, no cause given"),

        new(Unknown, "unknown", "Failure no rule matched"),
        new(None, "none", "Not a failure"),
    ];

    private static readonly Dictionary<string, Category> ById = All.ToDictionary(c => c.Id, StringComparer.Ordinal);

    public static IReadOnlyList<string> Families { get; } = All.Select(c => c.Family).Distinct().ToList();

    public static Category? Find(string id) => ById.GetValueOrDefault(id);

    public static bool IsKnown(string id) => ById.ContainsKey(id);
}
