using OpsConsole.Data.Sqlite;

namespace OpsConsole.Tests.Data;

/// <summary>The single writer keeps a page cache of its own size (Database:WriterCacheSizeMb); every other connection keeps Database:CacheSizeMb.</summary>
public sealed class WriterCacheTests
{
    private static async Task<long> CacheSizeAsync(Microsoft.Data.Sqlite.SqliteConnection connection)
    {
        await using var pragma = connection.CreateCommand();
        pragma.CommandText = "PRAGMA cache_size";
        return Convert.ToInt64(await pragma.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    [Theory]
    [InlineData(32, 600, 600)]
    // A writer limit below the readers' is raised to theirs: the writer never has less than a reader.
    [InlineData(64, 16, 64)]
    public async Task The_writer_connection_has_its_own_cache_and_readers_keep_theirs(int readerMb, int writerMb, int expectedWriterMb)
    {
        await using var database = await MigratedDatabase.CreateAsync();
        var connections = new SqliteConnectionFactory(database.ConnectionString, cacheSizeMb: readerMb, writerCacheSizeMb: writerMb);

        using var writer = await SqliteRecordStore.Writer.OpenAsync(connections, CancellationToken.None);
        await using var reader = await connections.OpenAsync(CancellationToken.None);

        // Negative: KiB.
        Assert.Equal(-expectedWriterMb * 1024L, await CacheSizeAsync(writer.Connection));
        Assert.Equal(-readerMb * 1024L, await CacheSizeAsync(reader));
    }
}
