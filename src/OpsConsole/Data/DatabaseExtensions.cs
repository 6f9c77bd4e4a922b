using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using OpsConsole.Data.Sqlite;

namespace OpsConsole.Data;

public static class DatabaseExtensions
{
    public const string ConnectionStringName = "OpsConsole";
    public const string DefaultConnectionString = "Data Source=data/opsconsole.db";

    /// <summary>Registers the store chosen by Database:Provider: the EF Core context for reads and schema, and the write path.</summary>
    public static IServiceCollection AddOpsDatabase(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<DatabaseOptions>().BindConfiguration(DatabaseOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        var provider = configuration[$"{DatabaseOptions.SectionName}:Provider"] ?? "Sqlite";
        if (!string.Equals(provider, "Sqlite", StringComparison.OrdinalIgnoreCase))
            throw new InvalidOperationException($"Database:Provider '{provider}' is not supported; this build ships 'Sqlite'.");

        var connectionString = configuration.GetConnectionString(ConnectionStringName) ?? DefaultConnectionString;
        EnsureDirectory(connectionString);
        var connections = new SqliteConnectionFactory(connectionString,
            configuration.GetValue<long>($"{DatabaseOptions.SectionName}:{nameof(DatabaseOptions.MaxPageCount)}"),
            configuration.GetValue($"{DatabaseOptions.SectionName}:{nameof(DatabaseOptions.CacheSizeMb)}", DatabaseOptions.DefaultCacheSizeMb));
        services.AddDbContextFactory<OpsDbContext>(options => options.UseSqlite(connectionString).AddInterceptors(new CacheSizeInterceptor(connections)));
        services.AddSingleton(connections);
        services.AddSingleton<IRecordStore, SqliteRecordStore>();
        services.AddSingleton<StorageHealth>();
        services.AddHostedService<WalCheckpointer>();
        return services;
    }

    /// <summary>
    /// Applies pending migrations and switches the file to WAL (a persistent setting), a new file to incremental vacuum. A file the console cannot
    /// write (read-only, full disk, unreadable) ends start-up with a <see cref="DatabaseUnwritableException"/>
    /// naming the file, rather than a console that looks up but refuses every write.
    /// </summary>
    public static async Task MigrateDatabaseAsync(this IServiceProvider services, CancellationToken cancellationToken = default)
    {
        var factory = services.GetRequiredService<IDbContextFactory<OpsDbContext>>();
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        try
        {
            await db.Database.OpenConnectionAsync(cancellationToken);
            // Takes effect only on a file without tables yet (a new one): retention's deletes can then shrink it in
            // small steps. An existing file keeps its setting; see README, "Retention".
            await db.Database.ExecuteSqlRawAsync("PRAGMA auto_vacuum = INCREMENTAL;", cancellationToken);
            await db.Database.MigrateAsync(cancellationToken);
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode = WAL;", cancellationToken);
        }
        catch (Exception ex) when (StorageHealth.StorageFault(ex) is { } fault)
        {
            var file = new SqliteConnectionStringBuilder(db.Database.GetConnectionString()).DataSource;
            throw new DatabaseUnwritableException(
                $"The database file '{file}' cannot be written ({fault.Message}). Give the console's user write access to the file and its folder (SQLite also writes '{file}-wal' and '{file}-shm' beside it), or free space, then start again.", ex);
        }
    }

    private static void EnsureDirectory(string connectionString)
    {
        var dataSource = new SqliteConnectionStringBuilder(connectionString).DataSource;
        if (string.IsNullOrEmpty(dataSource) || dataSource == ":memory:") return;
        var directory = Path.GetDirectoryName(Path.GetFullPath(dataSource));
        if (!string.IsNullOrEmpty(directory)) Directory.CreateDirectory(directory);
    }
}
