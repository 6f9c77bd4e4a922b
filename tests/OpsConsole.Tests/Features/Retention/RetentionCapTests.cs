using Microsoft.Extensions.DependencyInjection;
using OpsConsole.Features.Retention;
using OpsConsole.Tests.Data;

namespace OpsConsole.Tests.Features.Retention;

/// <summary>Retention:MaxRecords on a real SQLite file: the oldest records go first, down to the cap.</summary>
public sealed class RetentionCapTests() : ClockedConsole(new() { ["Retention:MaxRecords"] = "15" })
{
    [Fact]
    public async Task Over_max_records_the_oldest_go_first_whatever_their_age()
    {
        var api = Factory.CreateApiClient();
        for (var round = 0; round < 3; round++)
        {
            await api.PostOkAsync("/api/v1/container-exits", RetentionTests.Exits(Enumerable.Range(0, 10), exitCode: 0, Clock.Now, tag: $"r{round}"));
            Clock.Advance(TimeSpan.FromMinutes(1));
        }

        var run = await Factory.Services.GetRequiredService<RetentionJob>().RunAsync(CancellationToken.None);

        Assert.Equal(15, run.Deleted);
        Assert.Equal(15, Factory.Scalar("SELECT COUNT(*) FROM records"));
        Assert.Equal(0, Factory.Scalar("SELECT COUNT(*) FROM records WHERE Message LIKE '%r0%'")); // the whole oldest round
        Assert.Equal(10, Factory.Scalar("SELECT COUNT(*) FROM records WHERE Message LIKE '%r2%'")); // the newest round, all current
        RecordCounterTests.AssertCountersMatch(Factory);
    }
}
