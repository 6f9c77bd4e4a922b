using System.Diagnostics;
using OpsConsole.Features.Classification;

namespace OpsConsole.Benchmarks;

/// <summary>
/// A quick figure for the classifier on one thread: the shipped rules and vocabularies over the corpus and sample
/// records, repeated until <c>records</c> have been classified, after a warm-up pass. Prints records/s by the wall
/// clock and per CPU-second of the process (on a shared machine the steadier of the two).
/// </summary>
public static class ClassifyBenchmark
{
    public static int Run(int records)
    {
        var rules = RuleSet.Load(IncidentClassifier.ShippedRuleFiles());
        var distinct = ClassifierRecords.Load();
        Console.WriteLine($"{distinct.Count} distinct corpus and sample records");
        var failures = Pass(rules, distinct, Math.Max(records / 10, distinct.Count)); // warm-up: tiered JIT, regex compilation
        var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var started = Stopwatch.GetTimestamp();
        failures += Pass(rules, distinct, records);
        var elapsed = Stopwatch.GetElapsedTime(started);
        process.Refresh();
        var cpu = process.TotalProcessorTime - cpuBefore;
        // On a shared machine the wall clock counts the time other processes had the core; CPU time does not.
        Console.WriteLine($"classified {records:N0} records in {elapsed.TotalMilliseconds:N0} ms: {records / elapsed.TotalSeconds:N0} records/s "
            + $"({elapsed.TotalNanoseconds / records:N0} ns/record); CPU {cpu.TotalMilliseconds:N0} ms: {records / cpu.TotalSeconds:N0} records per CPU-second ({failures:N0} failures)");
        return 0;
    }

    private static int Pass(RuleSet rules, List<Features.Records.EventRecord> distinct, int records)
    {
        var failures = 0;
        for (var i = 0; i < records; i++)
            if (rules.Classify(distinct[i % distinct.Count]).IsFailure) failures++;
        return failures;
    }
}
