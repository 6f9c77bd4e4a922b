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

    /// <summary>Applies pending migrations and switches the file to WAL (a persistent setting).</summary>
    public static async Task MigrateDatabaseAsync(this IServiceProvider services, CancellationToken cancellationToken = default)
    {
        var factory = services.GetRequiredService<IDbContextFactory<OpsDbContext>>();
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        await db.Database.MigrateAsync(cancellationToken);
        await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode = WAL;", cancellationToken);
    }

    private static void EnsureDirectory(string connectionString)
    {
        var dataSource = new SqliteConnectionStringBuilder(connectionString).DataSource;
        if (string.IsNullOrEmpty(dataSource) || dataSource == ":memory:") return;
        var directory = Path.GetDirectoryName(Path.GetFullPath(dataSource));
        if (!string.IsNullOrEmpty(directory)) Directory.CreateDirectory(directory);
    }
}
