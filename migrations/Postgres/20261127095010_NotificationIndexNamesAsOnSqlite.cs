using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OpsConsole.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class NotificationIndexNamesAsOnSqlite : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.RenameIndex(
                name: "IX_notification_deliveries_at",
                table: "notification_deliveries",
                newName: "IX_notification_deliveries_At");

            migrationBuilder.RenameIndex(
                name: "IX_notification_channels_name",
                table: "notification_channels",
                newName: "IX_notification_channels_Name");

            migrationBuilder.RenameIndex(
                name: "IX_notification_alerts_status",
                table: "notification_alerts",
                newName: "IX_notification_alerts_Status");

            migrationBuilder.RenameIndex(
                name: "IX_notification_alerts_channel_instancekey",
                table: "notification_alerts",
                newName: "IX_notification_alerts_Channel_InstanceKey");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.RenameIndex(
                name: "IX_notification_deliveries_At",
                table: "notification_deliveries",
                newName: "IX_notification_deliveries_at");

            migrationBuilder.RenameIndex(
                name: "IX_notification_channels_Name",
                table: "notification_channels",
                newName: "IX_notification_channels_name");

            migrationBuilder.RenameIndex(
                name: "IX_notification_alerts_Status",
                table: "notification_alerts",
                newName: "IX_notification_alerts_status");

            migrationBuilder.RenameIndex(
                name: "IX_notification_alerts_Channel_InstanceKey",
                table: "notification_alerts",
                newName: "IX_notification_alerts_channel_instancekey");
        }
    }
}
