namespace OpsConsole.Tests.Data;

/// <summary>The WAL is cut back to nothing once ingestion goes quiet, instead of keeping its high-water size.</summary>
public sealed class WalTests
{
    [Fact]
    public async Task After_a_busy_spell_the_wal_is_truncated_when_idle()
    {
        using var factory = new OpsConsoleFactory();
        var api = factory.CreateApiClient();
        var wal = factory.DatabasePath + "-wal";
        for (var b = 0; b < 6; b++)
            await api.PostOkAsync("/api/v1/container-exits", RecordCounterTests.Batch($"wal{b}", 400, exitCode: 1));
        var busy = new FileInfo(wal).Length;
        Assert.True(busy > 0, "ingestion writes through the WAL");

        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (new FileInfo(wal).Length > 0 && DateTime.UtcNow < deadline) await Task.Delay(200);
        Assert.Equal(0, new FileInfo(wal).Length);
        Assert.Equal(2400, factory.Scalar("SELECT COUNT(*) FROM records"));
    }
}
