using OpsConsole.Features.Collectors;

namespace OpsConsole.Tests.Features.Collectors;

/// <summary>The collector's on-disk buffer: durable across a restart, drained oldest first, per endpoint and query.</summary>
public sealed class FileQueueTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "opsconsole-queue", Guid.NewGuid().ToString("n"));

    [Fact]
    public void Batches_survive_a_restart_and_come_back_oldest_first_merged_while_they_share_an_endpoint()
    {
        var queue = new FileQueue(_directory);
        queue.Enqueue("vm-events", "cloud=a", ["""{"n":1}"""]);
        queue.Enqueue("vm-events", "cloud=a", ["""{"n":2}""", """{"n":3}"""]);
        queue.Enqueue("container-exits", "host=h", ["""{"n":4}"""]);
        // A write a crash interrupted is never read back.
        File.WriteAllText(Path.Combine(_directory, "pending", "0000000000000099.batch.tmp"), "{\"Endpoint\":\"vm-events\"");

        var reopened = new FileQueue(_directory);
        Assert.Equal(3, reopened.Backlog);
        var run = reopened.PeekRun(10);
        Assert.Equal(2, run.Count);
        Assert.Equal(["""{"n":1}""", """{"n":2}""", """{"n":3}"""], run.SelectMany(b => b.Lines));
        Assert.All(run, b => Assert.Equal(("vm-events", "cloud=a"), (b.Endpoint, b.Query)));

        reopened.Remove(run);
        var next = reopened.PeekRun(10).Single();
        Assert.Equal("container-exits", next.Endpoint);
        reopened.Reject([next]);
        Assert.Equal(0, reopened.Backlog);
        Assert.Single(Directory.GetFiles(Path.Combine(_directory, "rejected")));
        Assert.Empty(Directory.GetFiles(Path.Combine(_directory, "pending")));
    }

    [Fact]
    public void A_run_stops_at_the_item_limit_but_always_takes_the_first_batch()
    {
        var queue = new FileQueue(_directory);
        queue.Enqueue("vm-events", "", ["1", "2", "3"]);
        queue.Enqueue("vm-events", "", ["4"]);
        Assert.Single(queue.PeekRun(2));
        Assert.Equal(2, queue.PeekRun(4).Count);
    }

    public void Dispose()
    {
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
    }
}
