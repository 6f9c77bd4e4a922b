using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OpsConsole.Migrations
{
    /// <inheritdoc />
    public partial class RecordsScaleIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_instance_states_IsFailing_LastFailureAt",
                table: "instance_states");

            migrationBuilder.CreateTable(
                name: "category_counts",
                columns: table => new
                {
                    Category = table.Column<string>(type: "TEXT", nullable: false),
                    Records = table.Column<long>(type: "INTEGER", nullable: false),
                    FailingInstances = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_category_counts", x => x.Category);
                });

            migrationBuilder.CreateTable(
                name: "failure_hours",
                columns: table => new
                {
                    Hour = table.Column<long>(type: "INTEGER", nullable: false),
                    Failures = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_failure_hours", x => x.Hour);
                });

            // The counters start from what is stored; from here on every write keeps them.
            migrationBuilder.Sql("INSERT INTO category_counts (Category, Records, FailingInstances) SELECT Category, COUNT(*), 0 FROM records GROUP BY Category;");
            migrationBuilder.Sql("""
                INSERT INTO category_counts (Category, Records, FailingInstances)
                SELECT Category, 0, COUNT(*) FROM instance_states WHERE IsFailing GROUP BY Category
                ON CONFLICT (Category) DO UPDATE SET FailingInstances = excluded.FailingInstances;
                """);
            migrationBuilder.Sql("INSERT INTO failure_hours (Hour, Failures) SELECT ReceivedAt / 3600000, COUNT(*) FROM records WHERE IsFailure GROUP BY 1;");

            migrationBuilder.CreateIndex(
                name: "IX_records_Category_OccurredAt",
                table: "records",
                columns: new[] { "Category", "OccurredAt" });

            migrationBuilder.CreateIndex(
                name: "IX_records_InstanceKey_Id",
                table: "records",
                columns: new[] { "InstanceKey", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_records_ReceivedAt",
                table: "records",
                column: "ReceivedAt");

            migrationBuilder.CreateIndex(
                name: "IX_records_RulesetVersion_Id",
                table: "records",
                columns: new[] { "RulesetVersion", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_instance_states_failing_Category",
                table: "instance_states",
                columns: new[] { "Category", "Severity" },
                filter: "\"IsFailing\"");

            migrationBuilder.CreateIndex(
                name: "IX_instance_states_failing_LastFailureAt",
                table: "instance_states",
                column: "LastFailureAt",
                filter: "\"IsFailing\"");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "category_counts");

            migrationBuilder.DropTable(
                name: "failure_hours");

            migrationBuilder.DropIndex(
                name: "IX_records_Category_OccurredAt",
                table: "records");

            migrationBuilder.DropIndex(
                name: "IX_records_InstanceKey_Id",
                table: "records");

            migrationBuilder.DropIndex(
                name: "IX_records_ReceivedAt",
                table: "records");

            migrationBuilder.DropIndex(
                name: "IX_records_RulesetVersion_Id",
                table: "records");

            migrationBuilder.DropIndex(
                name: "IX_instance_states_failing_Category",
                table: "instance_states");

            migrationBuilder.DropIndex(
                name: "IX_instance_states_failing_LastFailureAt",
                table: "instance_states");

            migrationBuilder.CreateIndex(
                name: "IX_instance_states_IsFailing_LastFailureAt",
                table: "instance_states",
                columns: new[] { "IsFailing", "LastFailureAt" });
        }
    }
}
