using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using OpsConsole.Data;

namespace OpsConsole.Tests.Data;

/// <summary>A fresh SQLite file migrated as the console migrates it, without a web host; deleted on dispose.</summary>
internal sealed class MigratedDatabase : IAsyncDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "opsconsole-tests", Guid.NewGuid().ToString("n"));

    private MigratedDatabase()
    {
        Directory.CreateDirectory(_directory);
        ConnectionString = $"Data Source={Path.Combine(_directory, "ops.db")}";
        Options = new DbContextOptionsBuilder<OpsDbContext>().UseSqlite(ConnectionString).Options;
    }

    public string ConnectionString { get; }
    public DbContextOptions<OpsDbContext> Options { get; }
    public string FilePath => Path.Combine(_directory, "ops.db");

    public static async Task<MigratedDatabase> CreateAsync()
    {
        var database = new MigratedDatabase();
        await using var db = database.Context();
        await db.Database.MigrateAsync();
        await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode = WAL;");
        return database;
    }

    public OpsDbContext Context() => new(Options);

    public IDbContextFactory<OpsDbContext> Factory() => new Microsoft.EntityFrameworkCore.Infrastructure.PooledDbContextFactory<OpsDbContext>(Options);

    public ValueTask DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
        return ValueTask.CompletedTask;
    }
}
