using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using OpsConsole.Data;

#nullable disable

namespace OpsConsole.Migrations
{
    /// <summary>
    /// New dedupe keys start with the source's time (DedupeKeys); the keys stored so far stay as they are. What is kept
    /// instead is the latest source time among them, which the OccurredAt index gives without reading the records.
    /// </summary>
    [DbContext(typeof(OpsDbContext))]
    [Migration("20261128083000_DedupeKeysByTime")]
    public partial class DedupeKeysByTime : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""CREATE TABLE "dedupe_legacy_horizon" ("LastOccurredAt" INTEGER NULL);""");
            migrationBuilder.Sql("""INSERT INTO "dedupe_legacy_horizon" ("LastOccurredAt") SELECT MAX("OccurredAt") FROM "records";""");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""DROP TABLE "dedupe_legacy_horizon";""");
        }
    }
}
