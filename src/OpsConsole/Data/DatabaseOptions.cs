using System.ComponentModel.DataAnnotations;

namespace OpsConsole.Data;

public sealed class DatabaseOptions
{
    public const string SectionName = "Database";

    /// <summary>The store behind OpsDbContext and the write path. Only "Sqlite" ships today; the seam is here for a server database.</summary>
    [Required, AllowedValues("Sqlite")]
    public string Provider { get; set; } = "Sqlite";
}
