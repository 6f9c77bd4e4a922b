using Microsoft.Extensions.DependencyInjection;
using OpsConsole.Data;
using OpsConsole.Features.Classification;
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
        var records = await IngestWarmUp.RunAsync(factory.Services.GetRequiredService<IncidentClassifier>(),
            factory.Services.GetRequiredService<IRecordStore>(), TimeProvider.System, CancellationToken.None);

        // A sample that stopped parsing (a format change) would leave its endpoint cold again.
        Assert.Equal(IngestWarmUp.Samples.Keys.Order(), records.Select(r => r.Kind).Distinct().Order());
        Assert.All(records, r => Assert.False(string.IsNullOrEmpty(r.RuleId), $"{r.Kind} record was not classified"));
        Assert.Equal(0, factory.Scalar("SELECT COUNT(*) FROM records"));
        Assert.Equal(0, factory.Scalar("SELECT COUNT(*) FROM instance_states"));
    }
}
