using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using OpsConsole.Data.Notices;
using OpsConsole.Data.Postgres;
using OpsConsole.Data.Sqlite;
using OpsConsole.Features.Cluster;

namespace OpsConsole.Data;

public static class DatabaseExtensions
{
    public const string ConnectionStringName = "OpsConsole";
    public const string DefaultConnectionString = "Data Source=data/opsconsole.db";

    /// <summary>Registers the store chosen by Database:Provider: the EF Core context for reads and schema, and the write path.</summary>
    public static IServiceCollection AddOpsDatabase(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<DatabaseOptions>().BindConfiguration(DatabaseOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        var provider = DatabaseOptions.ParseProvider(configuration[$"{DatabaseOptions.SectionName}:{nameof(DatabaseOptions.Provider)}"]);
        var connectionString = configuration.GetConnectionString(ConnectionStringName);
        if (provider == DatabaseProvider.Postgres) return services.AddPostgres(connectionString);

        connectionString ??= DefaultConnectionString;
        EnsureDirectory(connectionString);
        var connections = new SqliteConnectionFactory(connectionString,
            configuration.GetValue<long>($"{DatabaseOptions.SectionName}:{nameof(DatabaseOptions.MaxPageCount)}"),
            configuration.GetValue($"{DatabaseOptions.SectionName}:{nameof(DatabaseOptions.CacheSizeMb)}", DatabaseOptions.DefaultCacheSizeMb),
            configuration.GetValue($"{DatabaseOptions.SectionName}:{nameof(DatabaseOptions.WriterCacheSizeMb)}", DatabaseOptions.DefaultWriterCacheSizeMb));
        services.AddDbContextFactory<OpsDbContext>(options => WithoutModelDiffAtMigration(options.UseSqlite(connectionString).AddInterceptors(new CacheSizeInterceptor(connections), new EfWriteInterceptor())));
        services.AddSingleton(connections);
        // One node: the notices stay in the process and every once-per-cluster job is this node's.
        services.AddSingleton<ICommitFeed, InProcessCommitFeed>();
        services.AddSingleton<IClusterLease, SingleNodeLease>();
        services.AddAnnouncingStore<SqliteRecordStore>();
        services.AddSingleton(sp => new StorageHealth(connections.ProbeWriteAsync, sp.GetRequiredService<TimeProvider>()));
        services.AddHostedService<WalCheckpointer>();
        services.AddHostedService<WriterCacheWarmer>();
        return services;
    }

    private static IServiceCollection AddPostgres(this IServiceCollection services, string? connectionString)
    {
        if (string.IsNullOrWhiteSpace(connectionString))
            throw new InvalidOperationException(
                $"Database:Provider is Postgres but ConnectionStrings:{ConnectionStringName} is not set. Give the server, database and user, " +
                $"e.g. ConnectionStrings__{ConnectionStringName}=\"Host=db;Database=opsconsole;Username=opsconsole;Password=…\".");
        // The write path's statements keep their text whatever the batch size (rows travel as arrays), so each is
        // prepared once per pooled connection.
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        if (builder.ConnectionStringBuilder.MaxAutoPrepare == 0) builder.ConnectionStringBuilder.MaxAutoPrepare = 32;
        // With prepared statements a pooled connection is reset by six statements each time it goes back (DISCARD ALL
        // would drop them), several times per ingest request. Nothing on this pool leaves session state behind: session
        // locks and LISTEN use their own unpooled connections (ClusterConnections).
        builder.ConnectionStringBuilder.NoResetOnClose = true;
        var dataSource = builder.Build();
        services.AddSingleton(dataSource);
        services.AddDbContextFactory<OpsDbContext, PostgresDbContextFactory>(options => WithoutModelDiffAtMigration(options.UseNpgsql(dataSource)));
        // Several nodes: notices travel by LISTEN/NOTIFY, once-per-cluster jobs by advisory locks.
        services.AddSingleton(sp => new PostgresCommitFeed(connectionString, dataSource, sp.GetRequiredService<ILogger<PostgresCommitFeed>>()));
        services.AddSingleton<ICommitFeed>(sp => sp.GetRequiredService<PostgresCommitFeed>());
        services.AddHostedService(sp => sp.GetRequiredService<PostgresCommitFeed>());
        services.AddSingleton<IClusterLease>(sp => new PostgresClusterLease(connectionString, sp.GetRequiredService<ILogger<PostgresClusterLease>>()));
        // The store sends its notices to the other nodes inside the transactions they announce; the wrapper tells this node.
        services.AddAnnouncingStore<PostgresRecordStore>(sp => sp.GetRequiredService<PostgresCommitFeed>().SentWithCommits);
        services.AddSingleton(sp => new StorageHealth(token => PostgresRecordStore.ProbeWriteAsync(dataSource, token), sp.GetRequiredService<TimeProvider>()));
        return services;
    }

    /// <summary>
    /// Start-up's migration skips EF Core's check that the model matches the migrations' snapshot: it builds the design-time
    /// model and the snapshot's and compares them, most of the migrations step's 10.6 s at start-up on the loaded machine
    /// (10 M records on PostgreSQL, where nothing was pending). MigrationTests and PostgresMigrationTests make the same
    /// check for both providers on every build, where a model change without its migration belongs.
    /// </summary>
    private static DbContextOptionsBuilder WithoutModelDiffAtMigration(DbContextOptionsBuilder options) =>
        options.ConfigureWarnings(w => w.Ignore(Microsoft.EntityFrameworkCore.Diagnostics.RelationalEventId.PendingModelChangesWarning));

    /// <summary>The provider's store, wrapped so each commit it makes is announced.</summary>
    private static void AddAnnouncingStore<TStore>(this IServiceCollection services, Func<IServiceProvider, ICommitFeed>? feed = null)
        where TStore : class, IRecordStore
    {
        services.AddSingleton<TStore>();
        services.AddSingleton<IRecordStore>(sp => new AnnouncingRecordStore(sp.GetRequiredService<TStore>(), feed?.Invoke(sp) ?? sp.GetRequiredService<ICommitFeed>()));
    }

    /// <summary>
    /// Applies pending migrations (the set of the configured provider's context). On SQLite the file is also switched to
    /// WAL (a persistent setting), a new file to incremental vacuum, and a file the console cannot write (read-only, full disk, unreadable) ends start-up
    /// with a <see cref="DatabaseUnwritableException"/> naming the file, rather than a console that looks up but refuses
    /// every write.
    /// </summary>
    public static async Task MigrateDatabaseAsync(this IServiceProvider services, CancellationToken cancellationToken = default)
    {
        var factory = services.GetRequiredService<IDbContextFactory<OpsDbContext>>();
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        var timeline = services.GetService<Infrastructure.StartUpTimeline>();
        var model = System.Diagnostics.Stopwatch.StartNew();
        _ = db.Model;
        timeline?.Note("model (within migrations)", model.Elapsed);
        if (!db.Database.IsSqlite())
        {
            var migrate = System.Diagnostics.Stopwatch.StartNew();
            await db.Database.MigrateAsync(cancellationToken);
            timeline?.Note("migrate (within migrations)", migrate.Elapsed);
            // records is partitioned by received day: today's and the next days' partitions before the first write.
            var partitions = System.Diagnostics.Stopwatch.StartNew();
            await RecordPartitions.EnsureAheadAsync(services.GetRequiredService<NpgsqlDataSource>(),
                services.GetRequiredService<TimeProvider>().GetUtcNow(), cancellationToken);
            timeline?.Note("partitions ahead (within migrations)", partitions.Elapsed);
            return;
        }
        try
        {
            await db.Database.OpenConnectionAsync(cancellationToken);
            // Takes effect only on a file without tables yet (a new one): retention's deletes can then shrink it in
            // small steps. An existing file keeps its setting; see README, "Retention".
            await db.Database.ExecuteSqlRawAsync("PRAGMA auto_vacuum = INCREMENTAL;", cancellationToken);
            await db.Database.MigrateAsync(cancellationToken);
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode = WAL;", cancellationToken);
            var warm = System.Diagnostics.Stopwatch.StartNew();
            await WarmUpdatePipelineAsync(db, cancellationToken);
            timeline?.Note("EF update pipeline (within migrations)", warm.Elapsed);
        }
        catch (Exception ex) when (StorageHealth.StorageFault(ex) is { } fault)
        {
            var file = new SqliteConnectionStringBuilder(db.Database.GetConnectionString()).DataSource;
            throw new DatabaseUnwritableException(
                $"The database file '{file}' cannot be written ({fault.Message}). Give the console's user write access to the file and its folder (SQLite also writes '{file}-wal' and '{file}-shm' beside it), or free space, then start again.", ex);
        }
    }

    /// <summary>
    /// A process's first EF Core save compiles EF's update pipeline (~0.7 s). Every save on SQLite holds the store's write
    /// lock (<see cref="OpsDbContext"/>), so that first one is paid here, before the console takes requests, rather than
    /// by the ingest requests queued behind an operator's first acknowledgement or the first audit entry: a row saved
    /// and rolled back.
    /// </summary>
    private static async Task WarmUpdatePipelineAsync(OpsDbContext db, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        db.SourceOrigins.Add(new Features.SourceHealth.SourceOrigin { Source = "(warm-up)", Origin = "(warm-up)", Kind = "(warm-up)" });
        await db.SaveChangesAsync(cancellationToken);
        await transaction.RollbackAsync(cancellationToken);
        db.ChangeTracker.Clear();
    }

    private static void EnsureDirectory(string connectionString)
    {
        var dataSource = new SqliteConnectionStringBuilder(connectionString).DataSource;
        if (string.IsNullOrEmpty(dataSource) || dataSource == ":memory:") return;
        var directory = Path.GetDirectoryName(Path.GetFullPath(dataSource));
        if (!string.IsNullOrEmpty(directory)) Directory.CreateDirectory(directory);
    }
}
