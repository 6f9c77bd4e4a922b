using BenchmarkDotNet.Attributes;
using OpsConsole.Features.Classification;
using OpsConsole.Features.Records;

namespace OpsConsole.Benchmarks;

/// <summary>
/// The shipped rules over every record the corpus and the shared samples produce (all sources, failures and non-failures).
/// records/s = RecordsPerOperation / mean time; one core (BenchmarkDotNet runs the loop on one thread).
/// </summary>
[MemoryDiagnoser]
public class ClassifierBenchmark
{
    private RuleSet _rules = null!;
    private EventRecord[] _records = null!;

    public const int RecordsPerOperation = 10_000;

    [GlobalSetup]
    public void Setup()
    {
        _rules = RuleSet.Load(IncidentClassifier.ShippedRuleFiles());
        var parsed = ClassifierRecords.Load();
        _records = Enumerable.Range(0, RecordsPerOperation).Select(i => parsed[i % parsed.Count]).ToArray();
        Console.WriteLine($"// {parsed.Count} distinct corpus and sample records, {RecordsPerOperation} per operation");
    }

    [Benchmark(OperationsPerInvoke = RecordsPerOperation, Description = "classify one record")]
    public int Classify()
    {
        var failures = 0;
        foreach (var record in _records)
            if (_rules.Classify(record).IsFailure) failures++;
        return failures;
    }
}
