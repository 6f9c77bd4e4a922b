using OpsConsole.Features.Classification;
using OpsConsole.Features.Records;
using OpsConsole.Sources.Kubernetes;
using OpsConsole.Sources.Nova;

namespace OpsConsole.Tests.Features.Classification;

/// <summary>The shipped rules and vocabularies together: specific identifiers decide, healthy rules never hide an upstream error.</summary>
public sealed class ClassificationTierTests
{
    private static readonly (string Origin, string Yaml)[] Shipped = [.. IncidentClassifier.ShippedRuleFiles()];
    private static readonly RuleSet Rules = RuleSet.Load(Shipped);

    private static EventRecord Nova(string reason, string state, string? errorCode = null, string? message = null, string? hints = null) => new()
    {
        Kind = "vm", Source = NovaProfile.SourceName, Format = "nova-notification", Entry = "notification", InstanceKey = "k", InstanceName = "k",
        DedupeKey = "d", RawJson = "{}", Reason = reason, State = state, ErrorCode = errorCode, Message = message ?? reason, Hints = hints,
    };

    private static EventRecord Terminated(int exitCode, string? hints) => new()
    {
        Kind = "container", Source = KubernetesProfile.SourceName, Format = "k8s-pod", Entry = "terminated", InstanceKey = "k", InstanceName = "k",
        DedupeKey = "d", RawJson = "{}", State = "terminated", Reason = "Completed", ExitCode = exitCode, Hints = hints,
    };

    [Fact]
    public void An_exception_class_decides_even_while_the_instance_is_still_building()
    {
        var result = Rules.Classify(Nova("instance.create.error", "building", "FlavorDiskTooSmall", "Flavor's disk is too small for requested image."));

        Assert.Equal(("vm.api.invalid-request", "vocabulary:nova/exception"), (result.Category, result.RuleId));
    }

    [Theory]
    [InlineData("instance.made_up_step.error", null, null)]
    [InlineData("instance.resize.end", "SomethingNobodyKnows", null)]
    [InlineData("instance.resize.end", null, NovaProfile.PriorityErrorHint)]
    public void A_nova_record_marked_as_an_error_is_never_progress(string reason, string? errorCode, string? hints)
    {
        var result = Rules.Classify(Nova(reason, "active", errorCode, "something odd", hints));

        Assert.Equal(Taxonomy.Unknown, result.Category);
        Assert.True(result.IsFailure);
    }

    [Fact]
    public void The_same_notification_without_an_error_mark_is_progress()
    {
        Assert.Equal(Taxonomy.None, Rules.Classify(Nova("instance.resize.end", "active")).Category);
    }

    [Fact]
    public void A_container_meant_to_finish_that_exits_0_is_healthy_and_one_meant_to_run_is_not()
    {
        var finished = Rules.Classify(Terminated(0, KubernetesProfile.RunsToCompletionHint));
        Assert.Equal(("none", "k8s-finished-ok"), (finished.Category, finished.RuleId));
        Assert.Equal("exit.completed", Rules.Classify(Terminated(0, null)).Category);
        Assert.Equal("exit.app-error", Rules.Classify(Terminated(1, KubernetesProfile.RunsToCompletionHint)).Category);
    }

    [Fact]
    public void A_vocabulary_edit_changes_the_rule_set_version()
    {
        var edited = Shipped.Select(f => f.Origin == "Sources/Nova/vocabulary.yaml" ? (f.Origin, f.Yaml.Replace("NoValidHost:", "NoValidHostX:", StringComparison.Ordinal)) : f).ToList();

        Assert.NotEqual(RuleSet.VersionOf(Shipped), RuleSet.VersionOf(edited));
        Assert.True(RuleSet.Load(edited).Categories.Count > 0);
    }

    [Fact]
    public void A_bad_vocabulary_entry_fails_loading_naming_file_table_and_entry()
    {
        var broken = Shipped.Select(f => f.Origin == "Sources/Kubernetes/vocabulary.yaml"
            ? (f.Origin, f.Yaml.Replace("ProbeWarning: {category: none", "ProbeWarning: {category: container.bogus", StringComparison.Ordinal)) : f);

        var error = Assert.Throws<RuleValidationException>(() => RuleSet.Load(broken));

        Assert.StartsWith("Sources/Kubernetes/vocabulary.yaml: table 'kubelet-event-reason' entry 'ProbeWarning' names category 'container.bogus'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Each_category_knows_the_upstream_identifiers_that_lead_there()
    {
        var noValidHost = Rules.Upstream["vm.schedule.no-valid-host"];

        var exceptions = Assert.Single(noValidHost, u => u.Source == "nova" && u.Table == "exception");
        Assert.Contains("NoValidHost", exceptions.Identifiers);
        Assert.True(exceptions.Count >= exceptions.Identifiers.Count);
        Assert.True(exceptions.Identifiers.Count <= OpsConsole.Features.Classification.Vocabulary.UpstreamIdentifiers.Shown);
    }
}
