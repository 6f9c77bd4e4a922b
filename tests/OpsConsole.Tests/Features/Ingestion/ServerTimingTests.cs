using System.Globalization;
using OpsConsole.Tests.Data;

namespace OpsConsole.Tests.Features.Ingestion;

/// <summary>An ingest response says where its time went, so a slow one can be told apart: parsing, classifying, waiting for the writer, committing.</summary>
public sealed class ServerTimingTests
{
    [Fact]
    public async Task An_ingest_response_breaks_its_time_down_into_the_pipeline_and_the_write_transaction()
    {
        using var factory = new OpsConsoleFactory();
        var api = factory.CreateApiClient();
        using var response = await api.PostJsonTextAsync("/api/v1/container-exits", RecordCounterTests.Batch("timed", 5, exitCode: 1));
        response.EnsureSuccessStatusCode();

        var entries = string.Join(", ", response.Headers.GetValues("Server-Timing")).Split(", ")
            .Select(e => e.Split(";dur="))
            .ToDictionary(p => p[0], p => double.Parse(p[1], CultureInfo.InvariantCulture));
        Assert.Equal(["parse", "classify", "wait", "commit", "hold", "store", "total"], entries.Keys);
        // The parts fit inside what contains them: the commit in the hold, the write transaction in the store call, all in the total.
        Assert.True(entries["commit"] <= entries["hold"] && entries["wait"] + entries["hold"] <= entries["store"] + 0.2
                    && entries["parse"] + entries["classify"] + entries["store"] <= entries["total"] + 0.2, string.Join(", ", entries));
    }
}
