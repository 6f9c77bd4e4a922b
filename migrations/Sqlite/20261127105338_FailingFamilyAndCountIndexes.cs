using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OpsConsole.Migrations
{
    /// <inheritdoc />
    public partial class FailingFamilyAndCountIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "Family",
                table: "instance_states",
                type: "TEXT",
                nullable: false,
                computedColumnSql: "CASE WHEN instr(\"Category\", '.') > 0 THEN substr(\"Category\", 1, instr(\"Category\", '.') - 1) ELSE \"Category\" END",
                stored: false);

            migrationBuilder.CreateIndex(
                name: "IX_instance_states_failing_FailureCount",
                table: "instance_states",
                column: "FailureCount",
                filter: "\"IsFailing\"");

            migrationBuilder.CreateIndex(
                name: "IX_instance_states_failing_Family",
                table: "instance_states",
                columns: new[] { "Family", "LastFailureAt" },
                filter: "\"IsFailing\"");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_instance_states_failing_FailureCount",
                table: "instance_states");

            migrationBuilder.DropIndex(
                name: "IX_instance_states_failing_Family",
                table: "instance_states");

            migrationBuilder.DropColumn(
                name: "Family",
                table: "instance_states");
        }
    }
}
