using OpsConsole.Sources;
using OpsConsole.Features.Classification;
using OpsConsole.Features.Classification.Vocabulary;
using OpsConsole.Features.Records;
using OpsConsole.Tests.Infrastructure;

namespace OpsConsole.Tests.Features.Classification;

public sealed class VocabularyTests
{
    private const string Nova = """
        version: 1
        source: nova
        tables:
          - name: exception
            lookIn: [errorCode, message]
            match: exact
            entries:
              NoValidHost: {category: vm.schedule.no-valid-host, severity: error, parents: "NovaException"}
          - name: message
            lookIn: [message]
            match: word
            entries:
              "Failed to allocate the network(s)": {category: vm.compute.network, severity: error}
              "Failed to allocate": {category: vm.build-failed, severity: error}
              "port binding failed": {category: vm.compute.network, severity: error}
        """;

    private static EventRecord Record(string? errorCode = null, string? message = null, int? exitCode = null) => new()
    {
        Kind = "vm", Source = "nova", Format = "test", Entry = "fault", InstanceKey = "k", InstanceName = "n",
        DedupeKey = "d", RawJson = "{}", ErrorCode = errorCode, Message = message, ExitCode = exitCode,
    };

    [Fact]
    public void Exact_table_matches_the_identifier_ignoring_case_and_a_dotted_module_prefix()
    {
        var vocabulary = SourceVocabulary.Load("nova.yaml", Nova);

        Assert.True(vocabulary.TryMatch(Record(errorCode: "nova.exception.novalidhost"), out var match));
        Assert.Equal("vm.schedule.no-valid-host", match.Entry.Category);
        Assert.Equal("vocabulary:nova/exception", match.RuleId);
        Assert.Equal("errorCode=nova.exception.novalidhost (nova exception)", match.Evidence);
        Assert.Equal("NovaException", match.Entry.Facts["parents"]);
        Assert.False(vocabulary.TryMatch(Record(errorCode: "NoValidHostAtAll"), out _));
    }

    [Fact]
    public void Word_table_prefers_the_longest_phrase_and_folds_white_space()
    {
        var vocabulary = SourceVocabulary.Load("nova.yaml", Nova);

        Assert.True(vocabulary.TryMatch(Record(message: "Build of instance x aborted: FAILED TO ALLOCATE THE\n  NETWORK(S), not rescheduling."), out var match));
        Assert.Equal("vm.compute.network", match.Entry.Category);
        Assert.Equal("message~\"FAILED TO ALLOCATE THE\n  NETWORK(S)\" (nova message)", match.Evidence);

        Assert.True(vocabulary.TryMatch(Record(message: "Failed to allocate memory"), out match));
        Assert.Equal("vm.build-failed", match.Entry.Category);
    }

    [Fact]
    public void Word_table_needs_whole_words()
    {
        var vocabulary = SourceVocabulary.Load("nova.yaml", Nova);

        Assert.False(vocabulary.TryMatch(Record(message: "export binding failedover"), out _));
        Assert.True(vocabulary.TryMatch(Record(message: "neutron: port binding failed."), out var match));
        Assert.Equal("vm.compute.network", match.Entry.Category);
    }

    [Fact]
    public void Numbers_are_matched_by_their_text()
    {
        var vocabulary = SourceVocabulary.Load("exit.yaml", """
            source: exit-codes
            tables:
              - name: exit-code
                lookIn: [exitCode]
                match: exact
                entries:
                  "135": {category: exit.segfault, severity: error}
            """);

        Assert.True(vocabulary.TryMatch(Record(exitCode: 135), out var match));
        Assert.Equal("exitCode=135 (exit-codes exit-code)", match.Evidence);
        Assert.False(vocabulary.TryMatch(Record(exitCode: 136), out _));
    }

    private const string SharedByVms = """
        source: shared
        kinds: [vm]
        tables:
          - name: shared-message
            lookIn: [message]
            match: word
            entries:
              "port binding failed": {category: vm.build-failed, severity: error}
              "no valid host": {category: vm.schedule.no-valid-host, severity: error}
        """;

    [Theory]
    [InlineData("vm", "nova", "neutron: port binding failed", "vocabulary:nova/message")] // the source's own table first, though one pass searches both
    [InlineData("vm", "nova", "there is no valid host", "vocabulary:shared/shared-message")] // then the kind's shared tables
    [InlineData("vm", "other", "neutron: port binding failed", "vocabulary:shared/shared-message")] // a source without tables gets the shared ones
    [InlineData("container", "nova", "there is no valid host", "fallback-unknown")] // shared tables name their kinds
    [InlineData("container", "nova", "neutron: port binding failed", "vocabulary:nova/message")]
    public void A_source_asks_its_own_tables_before_those_its_kind_shares(string kind, string source, string message, string rule)
    {
        var rules = RuleSet.Load([("Sources/Nova/vocabulary.yaml", Nova), ("Sources/Shared/shared.vocabulary.yaml", SharedByVms)]);
        var record = Record(message: message);
        record.Kind = kind;
        record.Source = source;
        Assert.Equal(rule, rules.Classify(record).RuleId);
    }

    [Theory]
    [InlineData("", "v.yaml: the file is empty")]
    [InlineData("source: x\ntables:\n", "v.yaml: has no tables")]
    [InlineData("tables:\n  - name: t\n", "v.yaml: has no 'source'")]
    [InlineData("source: x\ntables:\n  -\n", "v.yaml: table #1 is empty")]
    [InlineData("source: x\ntables:\n  - name: t\n    match: fuzzy\n", "v.yaml: table 't' has match 'fuzzy'; use exact or word")]
    [InlineData("source: x\ntables:\n  - name: t\n    match: exact\n    lookIn: [colour]\n", "v.yaml: table 't' looks in 'colour'")]
    [InlineData("source: x\ntables:\n  - name: t\n    match: exact\n    lookIn: [reason]\n    entries:\n      A: {category: vm.nope, severity: error}\n",
        "v.yaml: table 't' entry 'A' names category 'vm.nope', which is not in the taxonomy")]
    [InlineData("source: x\ntables:\n  - name: t\n    match: exact\n    lookIn: [reason]\n    entries:\n      A: {category: none, severity: loud}\n",
        "v.yaml: table 't' entry 'A' has severity 'loud'")]
    [InlineData("source: x\ntables:\n  - name: t\n    match: exact\n    lookIn: [reason]\n    entries:\n      A:\n", "v.yaml: table 't' entry 'A' is empty")]
    [InlineData("source: x\ntables:\n  - name: t\n    match: exact\n    lookIn: [reason]\n    entries:\n      A: {category: none, severity: info}\n      a: {category: none, severity: info}\n",
        "v.yaml: table 't' lists 'A' more than once")]
    [InlineData("source: x\ntables: [ {name: t", "v.yaml: line ")]
    public void A_bad_file_is_refused_naming_the_file_table_and_entry(string yaml, string expected)
    {
        var error = Assert.Throws<RuleValidationException>(() => SourceVocabulary.Load("v.yaml", yaml));
        Assert.StartsWith(expected, error.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string> ShippedFiles()
    {
        var data = new TheoryData<string>();
        foreach (var file in SourceProfiles.VocabularyFiles) data.Add(file);
        return data;
    }

    [Theory]
    [MemberData(nameof(ShippedFiles))]
    public void Every_shipped_vocabulary_file_validates(string file)
    {
        var vocabulary = SourceVocabulary.Load(file, File.ReadAllText(Path.Combine(Repository.Root, "src", "OpsConsole", file)));
        Assert.NotEmpty(vocabulary.Tables);
        Assert.All(vocabulary.Tables, t => Assert.NotEmpty(t.Entries));
    }

    [Fact]
    public void Every_source_folder_vocabulary_file_is_loaded()
    {
        var onDisk = Directory.GetFiles(Path.Combine(Repository.Root, "src", "OpsConsole", "Sources"), "*vocabulary.yaml", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(Path.Combine(Repository.Root, "src", "OpsConsole"), f).Replace('\\', '/'));
        Assert.Equal(onDisk.Order(StringComparer.Ordinal), SourceProfiles.VocabularyFiles.Order(StringComparer.Ordinal));
    }
}
