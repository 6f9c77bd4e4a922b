using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OpsConsole.Migrations
{
    /// <summary>
    /// Drops the (InstanceKey, Id) index on records: ?instance= pages now read an instance's records in its timeline's order
    /// through (InstanceKey, OccurredAt), so this second per-instance index only cost every ingested record one more
    /// index page to find and write (on a 1 M-record SQLite store: one page read from outside the 32 MB cache and one
    /// page written to the WAL per record, of 2.9 and 4.4).
    /// </summary>
    public partial class DropRecordsInstanceKeyIdIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_records_InstanceKey_Id",
                table: "records");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "IX_records_InstanceKey_Id",
                table: "records",
                columns: new[] { "InstanceKey", "Id" });
        }
    }
}
