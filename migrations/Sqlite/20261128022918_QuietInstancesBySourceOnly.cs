using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OpsConsole.Migrations
{
    /// <inheritdoc />
    public partial class QuietInstancesBySourceOnly : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_instance_states_quiet_Source",
                table: "instance_states");

            migrationBuilder.CreateIndex(
                name: "IX_instance_states_quiet_Source",
                table: "instance_states",
                column: "Source",
                filter: "NOT \"IsFailing\"");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_instance_states_quiet_Source",
                table: "instance_states");

            migrationBuilder.CreateIndex(
                name: "IX_instance_states_quiet_Source",
                table: "instance_states",
                columns: new[] { "Source", "LastRecordId" },
                filter: "NOT \"IsFailing\"");
        }
    }
}
