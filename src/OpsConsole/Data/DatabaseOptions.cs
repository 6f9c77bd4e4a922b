using System.ComponentModel.DataAnnotations;

namespace OpsConsole.Data;

public sealed class DatabaseOptions
{
    public const string SectionName = "Database";

    /// <summary>The store behind OpsDbContext and the write path. Only "Sqlite" ships today; the seam is here for a server database.</summary>
    [Required, AllowedValues("Sqlite")]
    public string Provider { get; set; } = "Sqlite";

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
}
