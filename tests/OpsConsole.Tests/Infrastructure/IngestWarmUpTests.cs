using Microsoft.Extensions.DependencyInjection;
using OpsConsole.Data;
using Microsoft.Extensions.Options;
using OpsConsole.Features.Classification;
using OpsConsole.Features.Ingestion;
using OpsConsole.Infrastructure;

namespace OpsConsole.Tests.Infrastructure;

/// <summary>Start-up runs the ingest path once before the console listens; it must really run it and store nothing.</summary>
public sealed class IngestWarmUpTests
{
    [Fact]
    public async Task Each_endpoints_sample_is_parsed_and_classified_and_nothing_is_stored()
    {
        using var factory = new OpsConsoleFactory();
        // The host's own start-up has warmed up already; this runs the same step again to see what it did.
        _ = factory.CreateApiClient();
        var records = await IngestWarmUp.RunAsync(factory.Services.GetRequiredService<IngestionPipeline>(),
            factory.Services.GetRequiredService<IRecordStore>(), CancellationToken.None);

        // A sample that stopped parsing (a format change) would leave its endpoint cold again.
        Assert.Equal(IngestWarmUp.Samples.Keys.Order(), records.Select(r => r.Kind).Distinct().Order());
        Assert.All(records, r => Assert.False(string.IsNullOrEmpty(r.RuleId), $"{r.Kind} record was not classified"));
        Assert.Equal(0, factory.Scalar("SELECT COUNT(*) FROM records"));
        Assert.Equal(0, factory.Scalar("SELECT COUNT(*) FROM instance_states"));
    }

    [Fact]
    public async Task The_samples_take_the_pipelines_own_steps_so_the_clock_skew_limit_applies_too()
    {
        using var factory = new OpsConsoleFactory();
        _ = factory.CreateApiClient();
        // Received half a year before the samples' own times: only the pipeline's step sets such a source time aside.
        var services = factory.Services;
        var pipeline = new IngestionPipeline(services.GetRequiredService<IncidentClassifier>(), services.GetRequiredService<RecordCorrelator>(),
            services.GetRequiredService<IRecordStore>(), services.GetRequiredService<IOptionsMonitor<IngestionOptions>>(),
            new ManualClock(new DateTimeOffset(2025, 6, 1, 0, 0, 0, TimeSpan.Zero)));
        var records = await IngestWarmUp.RunAsync(pipeline, services.GetRequiredService<IRecordStore>(), CancellationToken.None);

        Assert.Contains(records, r => r.SourceTimeUntrusted is not null);
        Assert.All(records, r => Assert.True(r.OccurredAt <= r.ReceivedAt + new IngestionOptions().MaxClockSkew, $"{r.Kind} kept {r.OccurredAt:O}"));
        Assert.Equal(0, factory.Scalar("SELECT COUNT(*) FROM records"));
    }
}
