using System.Text.Json;
using OpsConsole.Features.Ingestion.Parsing;
using OpsConsole.Features.Records;
using OpsConsole.Sources.Containers;
using OpsConsole.Sources.Nova;

namespace OpsConsole.Sources.Simple;

/// <summary>
/// OpsConsole's own shapes for systems with no native format, and the profile of any sender the console does not
/// know: the sender names itself in <c>source</c>, so keys are <c>{source}/{instance}</c> and the item names its parts.
/// </summary>
public abstract class SimpleShape : ISourceProfile
{
    public const string Source = "source";
    public const string Instance = "instance";

    string ISourceProfile.Source => "";
    string ISourceProfile.KeyPrefix => "";
    public abstract string Kind { get; }
    public abstract IReadOnlyList<IPayloadFormat> Formats { get; }

    public IReadOnlyList<IdentityPart> PartsFromKey(string instanceKey) => SourceProfiles.NameSegments(instanceKey, 0, Source, Instance);

    /// <summary>Senders of the simple shapes are told apart by the source name they give.</summary>
    public string OriginOf(IReadOnlyList<IdentityPart> parts, string source) => source;

    public IReadOnlyDictionary<string, string> Placeholders { get; } = new Dictionary<string, string>
    {
        ["cluster"] = "Kubernetes cluster (?cluster= at ingestion)",
        ["namespace"] = "Kubernetes namespace",
        ["pod"] = "Kubernetes pod",
        ["container"] = "container name",
        ["image"] = "container image",
        ["serverId"] = "Nova server (instance) UUID",
        ["host"] = "Docker host or Nova compute host",
    };

    public void FillPlaceholders(PlaceholderValues values, EventRecord record, IReadOnlyList<IdentityPart> parts, JsonElement? item)
    {
        values.Set("cluster", PlaceholderValues.Text(item, "cluster"));
        values.Set("namespace", PlaceholderValues.Text(item, "namespace"));
        values.Set("pod", PlaceholderValues.Text(item, "instance"));
        values.Set("container", PlaceholderValues.Text(item, "container"));
        values.Set("image", PlaceholderValues.Text(item, "image"));
        if (record.Kind == PayloadFormats.Vm) values.Set("serverId", PlaceholderValues.Text(item, "instance"));
        values.Set("host", record.Location);
    }

    public abstract Type InstanceView(IReadOnlyList<IdentityPart> parts);
}

/// <summary><c>{source, instance, exitCode?, reason?, …}</c> on the container-exits endpoint.</summary>
public sealed class SimpleContainerProfile : SimpleShape
{
    public const string ContainerKind = PayloadFormats.Container;
    public override string Kind => ContainerKind;
    public override IReadOnlyList<IPayloadFormat> Formats { get; } = [new SimpleContainerExitFormat()];
    public override Type InstanceView(IReadOnlyList<IdentityPart> parts) => typeof(ExitHistoryView);
}

/// <summary><c>{source, instance, stage, status, timestamp, …}</c> on the vm-events endpoint; its stages trace like Nova's.</summary>
public sealed class SimpleVmProfile : SimpleShape
{
    public override string Kind => PayloadFormats.Vm;
    public override IReadOnlyList<IPayloadFormat> Formats { get; } = [new SimpleVmEventFormat()];
    public override Type InstanceView(IReadOnlyList<IdentityPart> parts) => typeof(RequestTraceView);
}
