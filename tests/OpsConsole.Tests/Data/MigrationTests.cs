using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using OpsConsole.Data;

namespace OpsConsole.Tests.Data;

/// <summary>
/// A database made before sign-in existed (its last migration InstanceIdentityParts) upgrades in place: the
/// users, keys, audit, silence and token-scope migrations come after it, keep what it stored, and leave the
/// model matching the snapshot.
/// </summary>
public sealed class MigrationTests : IDisposable
{
    private const string LastBeforeSignIn = "20261127024035_InstanceIdentityParts";
    private readonly string _directory = Directory.CreateTempSubdirectory("opsconsole-migrate-").FullName;

    private OpsDbContext Open() => new(new DbContextOptionsBuilder<OpsDbContext>()
        .UseSqlite($"Data Source={Path.Combine(_directory, "console.db")}").Options);

    [Fact]
    public async Task A_database_from_before_sign_in_upgrades_and_keeps_its_acknowledgements_and_tokens()
    {
        await using (var db = Open())
        {
            await db.GetService<IMigrator>().MigrateAsync(LastBeforeSignIn);
            await db.Database.ExecuteSqlRawAsync(
                "INSERT INTO instance_acknowledgements (InstanceKey, Status, Note, At, By) VALUES ('k8s/prod/web', 'muted', 'deploying', 1000, NULL)");
            await db.Database.ExecuteSqlRawAsync(
                "INSERT INTO embed_tokens (Label, TokenHash, Hint, CreatedAt) VALUES ('lobby wall', x'01020304', 'abcd', 1000)");
        }

        await using (var db = Open())
        {
            var pending = (await db.Database.GetPendingMigrationsAsync()).ToList();
            Assert.Equal(["UsersKeysAudit", "Silences", "EmbedTokenScope"], pending.Select(m => m[15..]).Take(3));
            await db.Database.MigrateAsync();

            var ack = await db.Acknowledgements.SingleAsync();
            Assert.Equal(("muted", "deploying", null, false), (ack.Status, ack.Note, ack.ExpiresAt, ack.UntilRecovered));
            var token = await db.EmbedTokens.SingleAsync();
            // A token from before scopes keeps opening every panel it opened.
            Assert.Equal(("lobby wall", null), (token.Label, token.Scope));
            Assert.Empty(await db.AccessKeys.ToListAsync());
            Assert.Empty(await db.Silences.ToListAsync());
            Assert.False(db.Database.HasPendingModelChanges(), "the model differs from migrations/Sqlite/OpsDbContextModelSnapshot.cs");
        }
    }

    [Fact]
    public async Task A_new_database_gets_every_migration_and_matches_the_model()
    {
        await using var db = Open();
        await db.Database.MigrateAsync();
        Assert.Empty(await db.Database.GetPendingMigrationsAsync());
        Assert.False(db.Database.HasPendingModelChanges(), "the model differs from migrations/Sqlite/OpsDbContextModelSnapshot.cs");
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }
}
