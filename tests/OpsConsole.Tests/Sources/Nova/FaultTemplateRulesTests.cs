using OpsConsole.Features.Classification;
using OpsConsole.Tests.Features.Classification;

namespace OpsConsole.Tests.Sources.Nova;

/// <summary>
/// The fallback rules built from nova/exception.py message templates. The classifier runs a rule's pattern only on a
/// message holding one of its prefilter literals, so each template must leave a literal that names it, not a wording
/// many Nova messages share ("could not be found"): otherwise the patterns run on most faults and tracebacks.
/// </summary>
public sealed class FaultTemplateRulesTests
{
    private static readonly string[] SharedWordings = [" could not be found.", " not found.", " is not "];

    public static TheoryData<string> TemplateRules() => [.. Rules().Select(r => r.Id!)];

    [Theory]
    [MemberData(nameof(TemplateRules))]
    public void Every_literal_a_template_rule_requires_names_its_template(string id)
    {
        var prefilter = MessagePrefilter.For(Rules().Single(r => r.Id == id).When!.Message!);
        Assert.NotNull(prefilter);
        Assert.All(prefilter.Literals, literal =>
            Assert.DoesNotContain(SharedWordings, wording => wording.Contains(literal, StringComparison.OrdinalIgnoreCase)));
    }

    [Theory]
    [InlineData("Volume 8d2f4b6a-0c1e-4a3b-9d5f-7e2a4c6b8d0f could not be found.", "nova-fault-template-volume")]
    [InlineData("Build of instance 1f3a aborted: Snapshot 7e2a4c6b could not be found.", "nova-fault-template-volume")]
    [InlineData("Compute host compute-03 could not be found.", "nova-fault-template-service-down")]
    [InlineData("Migration 117 not found for instance 1f3a5c7e", "nova-fault-template-migration")]
    [InlineData("Instance 1f3a5c7e is locked", "nova-fault-template-forbidden")]
    [InlineData("Instance 1f3a5c7e is not running.", "nova-fault-template-invalid-request")]
    // InstanceNotFound: the instance went away, which none of these templates says.
    [InlineData("Instance 1f3a5c7e could not be found.", null)]
    public void A_template_rule_takes_its_templates_words_only(string message, string? id)
    {
        var matching = Rules().Where(r => new System.Text.RegularExpressions.Regex(r.When!.Message!,
            System.Text.RegularExpressions.RegexOptions.IgnoreCase).IsMatch(message)).Select(r => r.Id).ToList();
        Assert.Equal(id is null ? [] : [id], matching);
    }

    private static List<RuleDefinition> Rules() =>
        [.. ShippedMessagePatterns.Rules("Sources/Nova/fallback.rules.yaml").Where(r => r.Id!.StartsWith("nova-fault-template-", StringComparison.Ordinal))];
}
