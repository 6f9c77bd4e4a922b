using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using OpsConsole.Features.Ingestion;
using OpsConsole.Features.Instances;
using OpsConsole.Features.Records;
using OpsConsole.Features.Runbooks;

namespace OpsConsole.Data;

/// <summary>
/// The console's one database: records and states, operator actions, and (through Identity) users and roles. This type
/// is the SQLite store (its migrations are in migrations/Sqlite); <see cref="Postgres.PostgresDbContext"/> is the same
/// model on PostgreSQL with its own migrations, as EF Core keeps one migration set per context type. It also keeps the
/// Data Protection keys, so a sign-in cookie made by one node opens every node.
/// </summary>
public class OpsDbContext(DbContextOptions<OpsDbContext> options) : IdentityDbContext<IdentityUser>(options), IDataProtectionKeyContext
{
    public DbSet<EventRecord> Records => Set<EventRecord>();
    public DbSet<InstanceState> InstanceStates => Set<InstanceState>();
    public DbSet<ApiKey> ApiKeys => Set<ApiKey>();
    public DbSet<RunbookStepMark> RunbookSteps => Set<RunbookStepMark>();
    public DbSet<InstanceAcknowledgement> Acknowledgements => Set<InstanceAcknowledgement>();
    public DbSet<Features.Embed.EmbedToken> EmbedTokens => Set<Features.Embed.EmbedToken>();
    public DbSet<Features.ApiKeys.AccessKey> AccessKeys => Set<Features.ApiKeys.AccessKey>();
    public DbSet<Features.Audit.AuditEntry> AuditLog => Set<Features.Audit.AuditEntry>();
    public DbSet<Features.Silences.Silence> Silences => Set<Features.Silences.Silence>();
    public DbSet<CategoryCount> CategoryCounts => Set<CategoryCount>();
    public DbSet<FailureHour> FailureHours => Set<FailureHour>();
    public DbSet<Features.SourceHealth.SourceOrigin> SourceOrigins => Set<Features.SourceHealth.SourceOrigin>();
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();
    public DbSet<Features.Notifications.NotificationAlert> NotificationAlerts => Set<Features.Notifications.NotificationAlert>();
    public DbSet<Features.Notifications.NotificationDelivery> NotificationDeliveries => Set<Features.Notifications.NotificationDelivery>();
    public DbSet<Features.Notifications.StoredChannel> NotificationChannels => Set<Features.Notifications.StoredChannel>();

    /// <summary>
    /// On SQLite every save holds the record store's write lock (<see cref="Sqlite.SqliteRecordStore.BesideWritesAsync"/>):
    /// the audit log, acknowledgements, silences, notifications, keys and users write beside ingestion, and a save that
    /// took SQLite's write lock outside that queue stalled the ingest transaction it met. Nothing here opens a
    /// transaction of its own around a save (one would keep SQLite's lock past the store's). A save with nothing to write
    /// does not queue: SilenceSweeper's two saves every 15 s were 163 of the 10 M reclassification row's holds, all empty.
    /// </summary>
    public override Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default) =>
        !Database.IsSqlite() || !ChangeTracker.HasChanges() ? base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken)
            : Sqlite.SqliteRecordStore.BesideWritesAsync(async () =>
            {
                SavingBesideWrites = true;
                try
                {
                    return await base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
                }
                finally
                {
                    SavingBesideWrites = false;
                }
            }, cancellationToken);

    public override int SaveChanges(bool acceptAllChangesOnSuccess) =>
        !Database.IsSqlite() || !ChangeTracker.HasChanges() ? base.SaveChanges(acceptAllChangesOnSuccess)
            : Sqlite.SqliteRecordStore.BesideWrites(() =>
            {
                SavingBesideWrites = true;
                try
                {
                    return base.SaveChanges(acceptAllChangesOnSuccess);
                }
                finally
                {
                    SavingBesideWrites = false;
                }
            });

    /// <summary>Whether a save of this context holds the store's write lock now: its statements must not queue for it again (<see cref="Sqlite.EfWriteInterceptor"/>).</summary>
    internal bool SavingBesideWrites { get; private set; }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(OpsDbContext).Assembly);
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // Unix milliseconds sort and compare correctly in SQLite, where DateTimeOffset text does not.
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<UnixMillisecondsConverter>();
        configurationBuilder.Properties<DateTimeOffset?>().HaveConversion<UnixMillisecondsConverter>();
    }

    private sealed class UnixMillisecondsConverter() : ValueConverter<DateTimeOffset, long>(
        v => v.ToUnixTimeMilliseconds(),
        v => DateTimeOffset.FromUnixTimeMilliseconds(v));
}
