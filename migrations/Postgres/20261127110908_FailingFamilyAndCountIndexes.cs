using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OpsConsole.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class FailingFamilyAndCountIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_records_Category_OccurredAt",
                table: "records");

            migrationBuilder.DropIndex(
                name: "IX_records_InstanceKey_OccurredAt",
                table: "records");

            migrationBuilder.DropIndex(
                name: "IX_records_OccurredAt",
                table: "records");

            migrationBuilder.AddColumn<string>(
                name: "family",
                table: "instance_states",
                type: "text",
                nullable: false,
                computedColumnSql: "case when strpos(\"category\", '.') > 0 then substr(\"category\", 1, strpos(\"category\", '.') - 1) else \"category\" end",
                stored: true);

            migrationBuilder.CreateIndex(
                name: "IX_records_Category_OccurredAt",
                table: "records",
                columns: new[] { "category", "occurredat", "id" });

            migrationBuilder.CreateIndex(
                name: "IX_records_InstanceKey_OccurredAt",
                table: "records",
                columns: new[] { "instancekey", "occurredat", "id" });

            migrationBuilder.CreateIndex(
                name: "IX_records_OccurredAt",
                table: "records",
                columns: new[] { "occurredat", "id" });

            migrationBuilder.CreateIndex(
                name: "IX_instance_states_failing_FailureCount",
                table: "instance_states",
                column: "failurecount",
                filter: "\"isfailing\"");

            migrationBuilder.CreateIndex(
                name: "IX_instance_states_failing_Family",
                table: "instance_states",
                columns: new[] { "family", "lastfailureat" },
                filter: "\"isfailing\"");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_records_Category_OccurredAt",
                table: "records");

            migrationBuilder.DropIndex(
                name: "IX_records_InstanceKey_OccurredAt",
                table: "records");

            migrationBuilder.DropIndex(
                name: "IX_records_OccurredAt",
                table: "records");

            migrationBuilder.DropIndex(
                name: "IX_instance_states_failing_FailureCount",
                table: "instance_states");

            migrationBuilder.DropIndex(
                name: "IX_instance_states_failing_Family",
                table: "instance_states");

            migrationBuilder.DropColumn(
                name: "family",
                table: "instance_states");

            migrationBuilder.CreateIndex(
                name: "IX_records_Category_OccurredAt",
                table: "records",
                columns: new[] { "category", "occurredat" });

            migrationBuilder.CreateIndex(
                name: "IX_records_InstanceKey_OccurredAt",
                table: "records",
                columns: new[] { "instancekey", "occurredat" });

            migrationBuilder.CreateIndex(
                name: "IX_records_OccurredAt",
                table: "records",
                column: "occurredat");
        }
    }
}
