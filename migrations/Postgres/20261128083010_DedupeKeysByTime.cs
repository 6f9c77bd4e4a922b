using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using OpsConsole.Data.Postgres;

#nullable disable

namespace OpsConsole.Migrations.Postgres
{
    /// <summary>
    /// New dedupe keys start with the source's time (DedupeKeys); the keys stored so far stay as they are. What is kept
    /// instead is the latest source time among them, which the OccurredAt index gives without reading the records.
    /// </summary>
    [DbContext(typeof(PostgresDbContext))]
    [Migration("20261128083010_DedupeKeysByTime")]
    public partial class DedupeKeysByTime : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("CREATE TABLE dedupe_legacy_horizon (lastoccurredat bigint NULL);");
            migrationBuilder.Sql("INSERT INTO dedupe_legacy_horizon (lastoccurredat) SELECT MAX(occurredat) FROM records;");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP TABLE dedupe_legacy_horizon;");
        }
    }
}
