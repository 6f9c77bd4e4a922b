using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Microsoft.EntityFrameworkCore.Metadata;

namespace OpsConsole.Data.Postgres;

/// <summary>
/// The console's model on PostgreSQL; its migrations are in migrations/Postgres. Column names are folded to lower case
/// so the store's SQL, written once with bare identifiers (<c>InstanceKey</c>), means the same column on both databases:
/// PostgreSQL folds unquoted names to lower case, SQLite ignores their case. Table and index names are the SQLite ones.
/// </summary>
public sealed class PostgresDbContext(DbContextOptions<OpsDbContext> options) : OpsDbContext(options)
{
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        EndTimeIndexesWithId(modelBuilder.Model.FindEntityType(typeof(Features.Records.EventRecord))!);
        foreach (var entity in modelBuilder.Model.GetEntityTypes())
        {
            // Index names stay as on SQLite (IX_records_Category_Id), though EF would derive them from the folded columns.
            foreach (var index in entity.GetIndexes())
                index.SetDatabaseName(index.GetDatabaseName());
            foreach (var property in entity.GetProperties())
                property.SetColumnName(property.GetColumnName().ToLowerInvariant());
            // Partial-index filters name their column quoted ("IsFailing"); they must name the folded one.
            foreach (var index in entity.GetIndexes())
                if (index.GetFilter() is { } filter) index.SetFilter(filter.ToLowerInvariant());
            // Generated columns likewise; PostgreSQL stores them (virtual ones need version 18) and calls instr strpos.
            foreach (var property in entity.GetProperties())
            {
                if (property.GetComputedColumnSql() is not { } computed) continue;
                property.SetComputedColumnSql(computed.ToLowerInvariant().Replace("instr(", "strpos(", StringComparison.Ordinal));
                property.SetIsStored(true);
            }
        }
    }

    /// <summary>
    /// SQLite ends every index with the rowid, so (Category, OccurredAt) already orders a time range by (OccurredAt, Id)
    /// and a page newest first is read off the index; PostgreSQL needs the Id spelled out for that order (the same names).
    /// </summary>
    private static void EndTimeIndexesWithId(IMutableEntityType records)
    {
        var id = records.FindProperty(nameof(Features.Records.EventRecord.Id))!;
        foreach (var index in records.GetIndexes().Where(i => i.Properties[^1].Name == nameof(Features.Records.EventRecord.OccurredAt)).ToList())
        {
            var (properties, name) = (index.Properties.ToList(), index.GetDatabaseName());
            records.RemoveIndex(index);
            records.AddIndex([.. properties, id]).SetDatabaseName(name);
        }
    }
}

/// <summary>Hands out <see cref="PostgresDbContext"/> wherever the console asks for an <see cref="OpsDbContext"/>.</summary>
internal sealed class PostgresDbContextFactory(DbContextOptions<OpsDbContext> options) : IDbContextFactory<OpsDbContext>
{
    public OpsDbContext CreateDbContext() => new PostgresDbContext(options);
}

/// <summary>Lets <c>dotnet ef migrations add … --context PostgresDbContext</c> build the PostgreSQL model without a server.</summary>
internal sealed class PostgresDesignTimeDbContextFactory : IDesignTimeDbContextFactory<PostgresDbContext>
{
    public PostgresDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<OpsDbContext>().UseNpgsql("Host=localhost;Database=opsconsole").Options);
}
