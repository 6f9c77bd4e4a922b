using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OpsConsole.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class IndexNamesAsOnSqlite : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.RenameIndex(
                name: "IX_silences_endedat",
                table: "silences",
                newName: "IX_silences_EndedAt");

            migrationBuilder.RenameIndex(
                name: "IX_runbook_steps_instancekey_recordid",
                table: "runbook_steps",
                newName: "IX_runbook_steps_InstanceKey_RecordId");

            migrationBuilder.RenameIndex(
                name: "IX_records_rulesetversion_id",
                table: "records",
                newName: "IX_records_RulesetVersion_Id");

            migrationBuilder.RenameIndex(
                name: "IX_records_receivedat",
                table: "records",
                newName: "IX_records_ReceivedAt");

            migrationBuilder.RenameIndex(
                name: "IX_records_occurredat",
                table: "records",
                newName: "IX_records_OccurredAt");

            migrationBuilder.RenameIndex(
                name: "IX_records_instancekey_occurredat",
                table: "records",
                newName: "IX_records_InstanceKey_OccurredAt");

            migrationBuilder.RenameIndex(
                name: "IX_records_instancekey_id",
                table: "records",
                newName: "IX_records_InstanceKey_Id");

            migrationBuilder.RenameIndex(
                name: "IX_records_dedupekey",
                table: "records",
                newName: "IX_records_DedupeKey");

            migrationBuilder.RenameIndex(
                name: "IX_records_category_occurredat",
                table: "records",
                newName: "IX_records_Category_OccurredAt");

            migrationBuilder.RenameIndex(
                name: "IX_records_category_id",
                table: "records",
                newName: "IX_records_Category_Id");

            migrationBuilder.RenameIndex(
                name: "IX_embed_tokens_tokenhash",
                table: "embed_tokens",
                newName: "IX_embed_tokens_TokenHash");

            migrationBuilder.RenameIndex(
                name: "IX_audit_log_at",
                table: "audit_log",
                newName: "IX_audit_log_At");

            migrationBuilder.RenameIndex(
                name: "IX_audit_log_actor_at",
                table: "audit_log",
                newName: "IX_audit_log_Actor_At");

            migrationBuilder.RenameIndex(
                name: "IX_api_keys_keyhash",
                table: "api_keys",
                newName: "IX_api_keys_KeyHash");

            migrationBuilder.RenameIndex(
                name: "IX_access_keys_keyhash",
                table: "access_keys",
                newName: "IX_access_keys_KeyHash");

            migrationBuilder.RenameIndex(
                name: "IX_AspNetUserRoles_roleid",
                table: "AspNetUserRoles",
                newName: "IX_AspNetUserRoles_RoleId");

            migrationBuilder.RenameIndex(
                name: "IX_AspNetUserLogins_userid",
                table: "AspNetUserLogins",
                newName: "IX_AspNetUserLogins_UserId");

            migrationBuilder.RenameIndex(
                name: "IX_AspNetUserClaims_userid",
                table: "AspNetUserClaims",
                newName: "IX_AspNetUserClaims_UserId");

            migrationBuilder.RenameIndex(
                name: "IX_AspNetRoleClaims_roleid",
                table: "AspNetRoleClaims",
                newName: "IX_AspNetRoleClaims_RoleId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.RenameIndex(
                name: "IX_silences_EndedAt",
                table: "silences",
                newName: "IX_silences_endedat");

            migrationBuilder.RenameIndex(
                name: "IX_runbook_steps_InstanceKey_RecordId",
                table: "runbook_steps",
                newName: "IX_runbook_steps_instancekey_recordid");

            migrationBuilder.RenameIndex(
                name: "IX_records_RulesetVersion_Id",
                table: "records",
                newName: "IX_records_rulesetversion_id");

            migrationBuilder.RenameIndex(
                name: "IX_records_ReceivedAt",
                table: "records",
                newName: "IX_records_receivedat");

            migrationBuilder.RenameIndex(
                name: "IX_records_OccurredAt",
                table: "records",
                newName: "IX_records_occurredat");

            migrationBuilder.RenameIndex(
                name: "IX_records_InstanceKey_OccurredAt",
                table: "records",
                newName: "IX_records_instancekey_occurredat");

            migrationBuilder.RenameIndex(
                name: "IX_records_InstanceKey_Id",
                table: "records",
                newName: "IX_records_instancekey_id");

            migrationBuilder.RenameIndex(
                name: "IX_records_DedupeKey",
                table: "records",
                newName: "IX_records_dedupekey");

            migrationBuilder.RenameIndex(
                name: "IX_records_Category_OccurredAt",
                table: "records",
                newName: "IX_records_category_occurredat");

            migrationBuilder.RenameIndex(
                name: "IX_records_Category_Id",
                table: "records",
                newName: "IX_records_category_id");

            migrationBuilder.RenameIndex(
                name: "IX_embed_tokens_TokenHash",
                table: "embed_tokens",
                newName: "IX_embed_tokens_tokenhash");

            migrationBuilder.RenameIndex(
                name: "IX_audit_log_At",
                table: "audit_log",
                newName: "IX_audit_log_at");

            migrationBuilder.RenameIndex(
                name: "IX_audit_log_Actor_At",
                table: "audit_log",
                newName: "IX_audit_log_actor_at");

            migrationBuilder.RenameIndex(
                name: "IX_api_keys_KeyHash",
                table: "api_keys",
                newName: "IX_api_keys_keyhash");

            migrationBuilder.RenameIndex(
                name: "IX_access_keys_KeyHash",
                table: "access_keys",
                newName: "IX_access_keys_keyhash");

            migrationBuilder.RenameIndex(
                name: "IX_AspNetUserRoles_RoleId",
                table: "AspNetUserRoles",
                newName: "IX_AspNetUserRoles_roleid");

            migrationBuilder.RenameIndex(
                name: "IX_AspNetUserLogins_UserId",
                table: "AspNetUserLogins",
                newName: "IX_AspNetUserLogins_userid");

            migrationBuilder.RenameIndex(
                name: "IX_AspNetUserClaims_UserId",
                table: "AspNetUserClaims",
                newName: "IX_AspNetUserClaims_userid");

            migrationBuilder.RenameIndex(
                name: "IX_AspNetRoleClaims_RoleId",
                table: "AspNetRoleClaims",
                newName: "IX_AspNetRoleClaims_roleid");
        }
    }
}
