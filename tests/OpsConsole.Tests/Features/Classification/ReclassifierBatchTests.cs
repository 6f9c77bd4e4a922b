using Microsoft.EntityFrameworkCore;
using OpsConsole.Features.Classification;
using OpsConsole.Features.Classification.Vocabulary;
using OpsConsole.Features.Records;
using OpsConsole.Tests.Data;

namespace OpsConsole.Tests.Features.Classification;

/// <summary>The reclassifier reads only some columns of a record: every field a rule or vocabulary table can read must be among them.</summary>
public sealed class ReclassifierBatchTests
{
    [Fact]
    public async Task A_batch_record_carries_every_field_the_rules_read()
    {
        await using var database = await MigratedDatabase.CreateAsync();
        var stored = new EventRecord
        {
            Kind = "container", Source = "kubernetes", Format = "pod", Entry = "containerStatus", InstanceKey = "kubernetes/c/ns/pod/app",
            InstanceName = "app", State = "terminated", ExitCode = 137, Signal = "SIGKILL", Reason = "OOMKilled", Message = "killed",
            ErrorCode = "E42", HttpCode = 503, Stage = "run", Hints = "oom", RulesetVersion = "v1", DedupeKey = "k", RawJson = "{}",
            ReceivedAt = DateTimeOffset.FromUnixTimeMilliseconds(1_790_000_000_123),
        };
        await using (var db = database.Context())
        {
            db.Records.Add(stored);
            await db.SaveChangesAsync();
        }

        await using var read = database.Context();
        var batch = await Reclassifier.BatchQuery(read, "v1", afterId: 0).ToListAsync();

        var loaded = Assert.Single(batch);
        foreach (var field in RecordFields.Names.Select(RecordFields.Field))
            Assert.Equal(RecordFields.Read(stored, field), RecordFields.Read(loaded, field));
        Assert.Equal(stored.Hints, loaded.Hints);
        // The store's update finds the row by id and received time.
        Assert.Equal(stored.ReceivedAt, loaded.ReceivedAt);
    }
}
