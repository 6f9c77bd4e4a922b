using OpsConsole.Features.Classification;
using OpsConsole.Tests.Corpus;
using OpsConsole.Tests.Infrastructure;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace OpsConsole.Tests.Features.Classification;

/// <summary>The shipped rules' message patterns and the texts they are known to meet, for tests that compare a shortcut with the regex.</summary>
internal static class ShippedMessagePatterns
{
    private static readonly IDeserializer Yaml =
        new DeserializerBuilder().WithNamingConvention(CamelCaseNamingConvention.Instance).IgnoreUnmatchedProperties().Build();

    /// <summary>The rules of the shipped rule files (vocabularies aside) as written; with <paramref name="origin"/>, of that file only.</summary>
    public static IEnumerable<RuleDefinition> Rules(string? origin = null) =>
        IncidentClassifier.ShippedRuleFiles().Where(f => !RuleSet.IsVocabulary(f.Origin) && (origin is null || f.Origin == origin))
            .SelectMany(f => Yaml.Deserialize<RuleFile>(f.Yaml).Rules);

    /// <summary>Each rule's <c>message</c> pattern; with <paramref name="alsoAndNot"/> its <c>messageAlso</c> and <c>messageNot</c> too.</summary>
    public static List<string> Patterns(bool alsoAndNot) =>
        Rules().SelectMany(r => alsoAndNot ? new[] { r.When?.Message, r.When?.MessageAlso, r.When?.MessageNot } : [r.When?.Message])
            .OfType<string>().Distinct().ToList();

    /// <summary>Every line of every corpus payload, sample and snapshot: the messages the rules are known to meet.</summary>
    public static List<string> KnownTexts() =>
        Directory.EnumerateFiles(CorpusPayloads.Root, "*", SearchOption.AllDirectories)
            .Concat(Directory.EnumerateFiles(Samples.Root, "*", SearchOption.AllDirectories))
            .Concat(Directory.EnumerateFiles(Path.Combine(Repository.Root, "tests", "OpsConsole.Tests", "Corpus", "Snapshots")))
            .SelectMany(File.ReadLines).Distinct().ToList();
}
