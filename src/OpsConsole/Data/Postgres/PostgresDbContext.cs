using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

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
