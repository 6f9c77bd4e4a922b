using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OpsConsole.Migrations.Postgres
{
    /// <summary>
    /// PostgreSQL only: drops the plain index on records.dedupekey that PartitionRecordsByDay kept. Since the partitioning
    /// the dedupe key is claimed and looked up in record_dedupe (its primary key) and nothing reads records by it, so the
    /// index cost one write per stored record for no reader. The model keeps the index (SQLite's unique dedupe key).
    /// </summary>
    public partial class DropRecordsDedupeKeyIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder) =>
            migrationBuilder.Sql("""DROP INDEX "IX_records_DedupeKey";""");

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder) =>
            migrationBuilder.Sql("""CREATE INDEX "IX_records_DedupeKey" ON records (dedupekey);""");
    }
}
