using System.Linq.Expressions;
using System.Text.Json;
using OpsConsole.Features.Classification.Patterns;
using OpsConsole.Features.Ingestion.Parsing;
using OpsConsole.Features.Records;

namespace OpsConsole.Sources.Nova;

/// <summary>OpenStack Nova servers (<c>nova/{cloud}/{server}</c>) and compute hosts (<c>nova/{cloud}/host/{host}</c>): faults, instance actions, notifications, services; requests traced by id.</summary>
public sealed class NovaProfile : ISourceProfile
{
    public const string SourceName = "nova";
    public const string KeyPrefix = "nova";
    public const string Cloud = "cloud";
    public const string Server = "server";
    public const string Host = "host";

    public const string Project = "project";
    public const string Rejection = "rejection";

    /// <summary>The key segment that marks a compute host rather than a server (<c>nova/{cloud}/host/{host}</c>).</summary>
    public const string HostSegment = "host";

    /// <summary>Key segments of API rejections that name no server: per project, else per kind of rejection.</summary>
    public const string ProjectSegment = "project", RejectionSegment = "rejected";

    /// <summary>Set on notifications sent with priority ERROR.</summary>
    public const string PriorityErrorHint = "priority-error";

    public string Source => SourceName;

    public OpsConsole.Features.Collectors.CollectorProfile Collector { get; } =
        new(SourceName, "vm-events", OpsConsole.Features.Ingestion.Parsing.PayloadFormats.Vm, Cloud, NovaCollector.Create);
    public string Kind => PayloadFormats.Vm;
    string ISourceProfile.KeyPrefix => KeyPrefix;
    public IReadOnlyList<IPayloadFormat> Formats { get; } = [new NovaFormat()];
    public string RulesFile => "Sources/Nova/rules.yaml";
    public string VocabularyFile => "Sources/Nova/vocabulary.yaml";

    /// <summary>
    /// An <c>*.error</c> notification, priority ERROR, an exception name, or an Error result or status of the thing
    /// reported on: whatever the server state says. A notification's state is its instance's state, not a verdict on
    /// the notification (deleting a server left in error is no error of the delete), so only its event type, priority
    /// and exception mark it.
    /// </summary>
    public bool MarkedAsError(EventRecord record) =>
        record.Reason?.EndsWith(".error", StringComparison.OrdinalIgnoreCase) == true
        || !string.IsNullOrEmpty(record.ErrorCode)
        || (record.Entry != NovaFormat.NotificationEntry && string.Equals(record.State, "Error", StringComparison.OrdinalIgnoreCase))
        || record.Hints?.Contains(PriorityErrorHint, StringComparison.Ordinal) == true;
    public string FallbackRulesFile => "Sources/Nova/fallback.rules.yaml";

    public IReadOnlyList<IdentityPart> PartsFromKey(string instanceKey) =>
        instanceKey.Split('/') switch
        {
            [_, var cloud, HostSegment, var host] => [new IdentityPart(Cloud, cloud), new IdentityPart(Host, host)],
            [_, var cloud, ProjectSegment, var project] => [new IdentityPart(Cloud, cloud), new IdentityPart(Project, project)],
            [_, var cloud, RejectionSegment, var kind] => [new IdentityPart(Cloud, cloud), new IdentityPart(Rejection, kind)],
            _ => SourceProfiles.NameSegments(instanceKey, 1, Cloud, Server),
        };

    public IReadOnlyDictionary<string, string> Placeholders { get; } = new Dictionary<string, string>
    {
        ["cloud"] = "OpenStack cloud (?cloud= at ingestion)",
        ["serverId"] = "Nova server (instance) UUID",
        ["host"] = "Docker host or Nova compute host",
    };

    public void FillPlaceholders(PlaceholderValues values, EventRecord record, IReadOnlyList<IdentityPart> parts, JsonElement? item)
    {
        if (parts.Count < 2) return;
        values.Set(Cloud, parts[0].Value);
        if (parts[1].Label == Host)
        {
            values.Set("host", parts[1].Value);
            return;
        }
        if (parts[1].Label != Server) return;
        values.Set("serverId", parts[1].Value);
        values.Set("host", record.Location);
    }

    /// <summary>A server's page in Horizon when configured, and always the <c>openstack server show</c> for its cloud.</summary>
    public IReadOnlyList<SourceLink> LinksTo(IReadOnlyList<IdentityPart> parts, SourceLinkOptions options, JsonElement? item)
    {
        if (parts is not [{ Label: Cloud } cloud, { Label: Server } server]) return [];
        var show = SourceLink.Run("OpenStack CLI", "openstack", "--os-cloud", cloud.Value, "server", "show", server.Value);
        return SourceLinkOptions.Usable(options.Horizon)
            ? [SourceLink.Page("Horizon", SourceLink.Under(options.Horizon!, "project", "instances", server.Value) + "/"), show]
            : [show];
    }

    /// <summary>A server's requests traced across the services; a compute host has no requests to trace.</summary>
    public Type? InstanceView(IReadOnlyList<IdentityPart> parts) => parts is [_, { Label: Server }] ? typeof(RequestTraceView) : null;

    public ISilenceCheck Silence { get; } = new StillBuilding();

    /// <summary>A server still in BUILD with nothing newer: <c>vm.stalled</c>.</summary>
    private sealed class StillBuilding : ISilenceCheck
    {
        public Expression<Func<EventRecord, bool>> StillGoing { get; } = r => r.State == "BUILD" || r.State == "building";

        public Task<EventRecord?> CheckAsync(SilenceContext context, EventRecord last, TimeSpan silentFor, CancellationToken cancellationToken)
        {
            var after = context.Settings.VmBuildStalledAfter;
            return Task.FromResult(silentFor < after ? null : DerivedRecord.Create(InstanceIdentity.Of(last), "vm.stalled", "error", context.RuleId,
                $"state={last.State}; no newer report for {SilenceContext.Minutes(silentFor)}",
                $"Still building with nothing reported for {SilenceContext.Minutes(silentFor)} (threshold {SilenceContext.Minutes(after)})",
                [last.Id], context.Now, context.RulesetVersion));
        }
    }
}
