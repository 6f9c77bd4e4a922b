using BenchmarkDotNet.Running;
using OpsConsole.Benchmarks;

// dotnet run -c Release --project tests/OpsConsole.Benchmarks -- ingest [records] [--provider postgres [--statements]]
// dotnet run -c Release --project tests/OpsConsole.Benchmarks -- classifier
// dotnet run -c Release --project tests/OpsConsole.Benchmarks -- classify [records]
// dotnet run -c Release --project tests/OpsConsole.Benchmarks -- classify-ab <other build's tests/OpsConsole.Benchmarks/bin/Release/net10.0> [rounds] [records per round]
//     (this build and the other in one process, alternated round by round, thread CPU time: median ratio of the rounds)
// dotnet run -c Release --project tests/OpsConsole.Benchmarks -- parse [records]   (the ingest workload split and parsed on one thread: CPU µs per record)
// dotnet run -c Release --project tests/OpsConsole.Benchmarks -- failing-list [records]
// dotnet run -c Release --project tests/OpsConsole.Benchmarks -- panels [panels] [records/s] [seconds]
// dotnet run -c Release --project tests/OpsConsole.Benchmarks -- retention [expired records] [--provider postgres]
// dotnet run -c Release --project tests/OpsConsole.Benchmarks -- records [records] [--reads]   (builds or reuses $TMPDIR/opsconsole-bench/records-N.db; --reads: priming and read APIs only)
// dotnet run -c Release --project tests/OpsConsole.Benchmarks -- records [records] --only reclassification [--minutes N]   (its last row alone, on a built store; --minutes: a cap shorter than 45)
// dotnet run -c Release --project tests/OpsConsole.Benchmarks -- records [records] --only ingest [--cold]   (ingest at that size vs a fresh file and the WAL after idle, on a built store;
//     --cold: the OS page cache emptied before the big store's console starts, which needs root)
// dotnet run -c Release --project tests/OpsConsole.Benchmarks -- records [records] --reads --provider postgres   (the same store copied into a kept cluster, $TMPDIR/opsconsole-bench/records-N.pg)
if (Option("--minutes") is { } minutes) RecordsBenchmark.ReclassificationCap = TimeSpan.FromMinutes(double.Parse(minutes, System.Globalization.CultureInfo.InvariantCulture));
return args.FirstOrDefault() switch
{
    "failing-list" => await FailingListBenchmark.RunAsync(Arg(1, 1_000_000)),
    "panels" => await PanelsBenchmark.RunAsync(Arg(1, 50), Arg(2, 100), Arg(3, 60)),
    "ingest" when Postgres() => await PostgresIngestBenchmark.RunAsync(Arg(1, 100_000), statements: args.Contains("--statements")),
    "ingest" => await IngestBenchmark.RunAsync(Arg(1, 100_000)),
    "classifier" => RunClassifier(args[1..]),
    "classify" => ClassifyBenchmark.Run(Arg(1, 1_000_000)),
    "classify-ab" when args.Length > 1 => ClassifyAbBenchmark.Run(args[1], Arg(2, 40), Arg(3, 50_000)),
    "parse" => ParseBenchmark.Run(Arg(1, 200_000)),
    "records" when Postgres() && args.Contains("--reads") => await PostgresRecordsBenchmark.RunAsync(Arg(1, 1_000_000)),
    "records" when Postgres() => Usage(),
    "records" => await RecordsBenchmark.RunAsync(Arg(1, 1_000_000), readsOnly: args.Contains("--reads"), reclassificationOnly: Option("--only") == "reclassification", ingestOnly: Option("--only") == "ingest", cold: args.Contains("--cold")),
    "retention" => await RetentionBenchmark.RunAsync(Arg(1, 1_000_000), Postgres()),
    _ => Usage(),
};

// --provider postgres: the same measurement on a throwaway PostgreSQL cluster the benchmark starts and stops.
bool Postgres() => Option("--provider")?.Equals("postgres", StringComparison.OrdinalIgnoreCase) == true;

string? Option(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();

int Arg(int index, int fallback) => args.Length > index && !args[index].StartsWith("--", StringComparison.Ordinal)
    ? int.Parse(args[index], System.Globalization.CultureInfo.InvariantCulture) : fallback;

static int RunClassifier(string[] rest)
{
    BenchmarkRunner.Run<ClassifierBenchmark>(args: rest);
    return 0;
}

static int Usage()
{
    Console.Error.WriteLine("usage: OpsConsole.Benchmarks ingest [records] [--provider postgres [--statements]] | classifier [BenchmarkDotNet options] | classify [records] | classify-ab <other build's folder> [rounds] [records per round] | parse [records] | failing-list [records] | panels [panels] [records/s] [seconds] | records [records] [--reads | --only reclassification | --only ingest] [--cold] | records [records] --reads --provider postgres | retention [expired records] [--provider postgres]");
    return 2;
}
