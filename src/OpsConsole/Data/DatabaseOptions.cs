using System.ComponentModel.DataAnnotations;

namespace OpsConsole.Data;

public enum DatabaseProvider
{
    Sqlite,
    Postgres,
}

public sealed class DatabaseOptions
{
    public const string SectionName = "Database";

    /// <summary>
    /// The store behind OpsDbContext and the write path: "Sqlite" (the default, a file beside the console) or "Postgres"
    /// (a server several console nodes share; ConnectionStrings:OpsConsole is then required).
    /// </summary>
    [Required]
    public string Provider { get; set; } = nameof(DatabaseProvider.Sqlite);

    /// <summary>The provider a setting names (case ignored); a clear start-up error for any other.</summary>
    public static DatabaseProvider ParseProvider(string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return DatabaseProvider.Sqlite;
        if (Enum.TryParse<DatabaseProvider>(value.Trim(), ignoreCase: true, out var provider) && Enum.IsDefined(provider) && !int.TryParse(value, out _))
            return provider;
        throw new InvalidOperationException($"Database:Provider '{value}' is not supported; use 'Sqlite' (the default) or 'Postgres'.");
    }

    /// <summary>
    /// A cap on the database file for the ingestion write path, in SQLite pages (4 kB); 0 is no cap. Writes
    /// beyond it answer 503 like a full disk, so a quota can be kept below what the volume holds.
    /// </summary>
    [Range(0, long.MaxValue)]
    public long MaxPageCount { get; set; }

    public const int DefaultCacheSizeMb = 32;

    /// <summary>
    /// SQLite's page cache per connection, in MB. The default 2 MB lets the random-key indexes of a file with millions of
    /// records fall out of memory, and ingestion slows as the store grows.
    /// </summary>
    [Range(1, 16_384)]
    public int CacheSizeMb { get; set; } = DefaultCacheSizeMb;

    public const int DefaultWriterCacheSizeMb = 256;

    /// <summary>
    /// The single writer connection's page cache, in MB (at least <see cref="CacheSizeMb"/>). Ingestion inserts into the
    /// records' dedupe-key index at random places and into the per-instance indexes at each sending instance's place: at
    /// 1 M records, 50 k records inserted with a 32 MB cache read 2.9 pages per record from outside it, with 256 MB 0.8. Size it to the dedupe-key index
    /// (about 45 MB per million records stored) plus 8 kB per instance sending: the default holds about 5 M records;
    /// set 600 at 10 M. Only the pages used are taken.
    /// </summary>
    [Range(1, 65_536)]
    public int WriterCacheSizeMb { get; set; } = DefaultWriterCacheSizeMb;
}
