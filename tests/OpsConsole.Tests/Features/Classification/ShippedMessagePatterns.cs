using OpsConsole.Features.Classification;
using OpsConsole.Tests.Corpus;
using OpsConsole.Tests.Infrastructure;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace OpsConsole.Tests.Features.Classification;

/// <summary>The shipped rules' message patterns and the texts they are known to meet, for tests that compare a shortcut with the regex.</summary>
internal static class ShippedMessagePatterns
{
    /// <summary>Each rule's <c>message</c> pattern; with <paramref name="alsoAndNot"/> its <c>messageAlso</c> and <c>messageNot</c> too.</summary>
    public static List<string> Patterns(bool alsoAndNot)
    {
        var yaml = new DeserializerBuilder().WithNamingConvention(CamelCaseNamingConvention.Instance).IgnoreUnmatchedProperties().Build();
        return IncidentClassifier.ShippedRuleFiles().Where(f => !RuleSet.IsVocabulary(f.Origin))
            .SelectMany(f => yaml.Deserialize<RuleFile>(f.Yaml).Rules)
            .SelectMany(r => alsoAndNot ? new[] { r.When?.Message, r.When?.MessageAlso, r.When?.MessageNot } : [r.When?.Message])
            .OfType<string>().Distinct().ToList();
    }

    /// <summary>Every line of every corpus payload, sample and snapshot: the messages the rules are known to meet.</summary>
    public static List<string> KnownTexts() =>
        Directory.EnumerateFiles(CorpusPayloads.Root, "*", SearchOption.AllDirectories)
            .Concat(Directory.EnumerateFiles(Samples.Root, "*", SearchOption.AllDirectories))
            .Concat(Directory.EnumerateFiles(Path.Combine(Repository.Root, "tests", "OpsConsole.Tests", "Corpus", "Snapshots")))
            .SelectMany(File.ReadLines).Distinct().ToList();
}
