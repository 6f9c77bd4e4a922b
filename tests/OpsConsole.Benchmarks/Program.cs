using BenchmarkDotNet.Running;
using OpsConsole.Benchmarks;

// dotnet run -c Release --project tests/OpsConsole.Benchmarks -- ingest [records]
// dotnet run -c Release --project tests/OpsConsole.Benchmarks -- classifier
return args.FirstOrDefault() switch
{
    "ingest" => await IngestBenchmark.RunAsync(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 100_000),
    "classifier" => RunClassifier(args[1..]),
    _ => Usage(),
};

static int RunClassifier(string[] rest)
{
    BenchmarkRunner.Run<ClassifierBenchmark>(args: rest);
    return 0;
}

static int Usage()
{
    Console.Error.WriteLine("usage: OpsConsole.Benchmarks ingest [records] | classifier [BenchmarkDotNet options]");
    return 2;
}
