using System.Collections.Frozen;
using System.Text.Json;
using System.Text.RegularExpressions;
using OpsConsole.Features.Ingestion.Parsing;

namespace OpsConsole.Sources.ContainerApps;

/// <summary>
/// Azure Container Apps system logs in the three transports operators already have: the flat rows of
/// <c>az monitor log-analytics query</c> (classic <c>_CL</c> columns with type suffixes, or the
/// <c>ContainerAppSystemLogs</c> table), the REST <c>tables/columns/rows</c> result, and the JSON lines of
/// <c>az containerapp logs show --type system</c>. One record per row.
/// </summary>
public sealed partial class ContainerAppsSystemLogFormat : IPayloadFormat
{
    public const string SourceName = ContainerAppsProfile.SourceName;

    public string Name => ContainerAppsProfile.SourceName;

    /// <summary>
    /// Also the connection lines of <c>logs show</c> (<c>"ContainerAppName": null</c>), a job execution's rows (named
    /// by <c>JobName</c> instead of an app) and query rows whose columns were renamed by a KQL <c>project</c> (any
    /// <c>PrimaryResult</c> row).
    /// </summary>
    public bool Matches(PayloadNode node) =>
        node.IsObject && (node.Has("tables"u8) || node.Has("ContainerAppName_s"u8) || node.Element.TryGetProperty("ContainerAppName"u8, out _)
                          || node.Has("JobName_s"u8) || node.Element.TryGetProperty("JobName"u8, out _)
                          || node.Str("TableName") == "PrimaryResult");

    public void Parse(PayloadNode node, ParseContext context)
    {
        if (node.Has("tables"))
        {
            ParseRestResult(node, context);
            return;
        }
        AddRow(node, ReadFlatRow(node), "aca-query-row", context);
    }

    private static void ParseRestResult(PayloadNode node, ParseContext context)
    {
        var rowIndex = 0;
        foreach (var table in node.Array("tables"))
        {
            var columns = table.Array("columns").Select(c => c.RequiredStr("name")).ToArray();
            foreach (var row in table.Array("rows"))
            {
                if (row.ValueKind != JsonValueKind.Array)
                    throw new PayloadException(node.Item, row.Path, $"Field '{row.Path}' must be an array of column values.");
                var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
                // A REST row is positional; it is kept as {column: value} so the stored item still says what each value is.
                var named = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
                var i = 0;
                foreach (var cell in row.Element.EnumerateArray())
                {
                    if (i < columns.Length)
                    {
                        AddColumn(values, columns[i], cell);
                        named[columns[i]] = cell;
                    }
                    i++;
                }
                var item = JsonSerializer.SerializeToElement(named);
                AddRow(new PayloadNode(item, rowIndex++, row.Path), values, "aca-rest-row", context);
            }
        }
    }

    // One row's columns at a time per thread (AddRow keeps none of them): a dictionary made per row, grown twice on the
    // way to a row's ten columns, was a sixth of what a request of query rows allocated.
    [ThreadStatic]
    private static Dictionary<string, string?>? _flatRow;

    private static Dictionary<string, string?> ReadFlatRow(PayloadNode row)
    {
        var values = _flatRow ??= new Dictionary<string, string?>(ReadColumns.Set.Count, StringComparer.OrdinalIgnoreCase);
        values.Clear();
        foreach (var property in row.Element.EnumerateObject()) AddColumn(values, property.Name, property.Value);
        return values;
    }

    /// <summary>One column of a row, by its plain name, whether the row came from the CLI or the REST tables.</summary>
    private static void AddColumn(Dictionary<string, string?> values, string name, JsonElement value)
    {
        // Classic custom-log columns carry a type suffix (_s, _d, _t, _b, _g); the CLI turns null into "None".
        var suffixed = name.Length > 2 && name[^2] == '_' && "sdtbg".Contains(name[^1], StringComparison.Ordinal);
        if (!suffixed && name == "Type" && value.ValueKind == JsonValueKind.String
            && value.GetString()!.StartsWith("ContainerAppSystemLogs", StringComparison.Ordinal))
            return; // in the _CL table, Type is the table name, not the severity
        // A row has more columns than a record reads (_ResourceId, TenantId, EnvironmentName…): those are not copied out.
        if (!ReadColumns.Contains(suffixed ? name.AsSpan(0, name.Length - 2) : name)) return;
        if (suffixed) name = name[..^2];
        if (values.ContainsKey(name) && name == "Type") return;
        values[name] = CellText(value);
    }

    /// <summary>The plain column names <see cref="AddRow"/> reads; any casing, as the row's own lookups.</summary>
    private static readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> ReadColumns =
        new[]
        {
            "ContainerAppName", "AppName", "JobName", "RevisionName", "Revision", "ExecutionName", "ReplicaName", "Type",
            "Log", "Msg", "Message", "TimeGenerated", "TimeStamp", "Time", "Reason", "EventSource", "Count",
        }.ToFrozenSet(StringComparer.OrdinalIgnoreCase).GetAlternateLookup<ReadOnlySpan<char>>();

    private static void AddRow(PayloadNode item, Dictionary<string, string?> row, string format, ParseContext context)
    {
        // Every name asked here must be in ReadColumns: no other column is copied into the row.
        string? Get(string name) => row.TryGetValue(name, out var v) && !string.IsNullOrEmpty(v) && v != "None" ? v : null;

        // logs show opens with connection lines (StartingGettingEvents, ConnectedToEventsServer) that name no app,
        // revision or replica: they say nothing about a container.
        if (Get("ContainerAppName") is null && Get("AppName") is null && Get("JobName") is null && Get("RevisionName") is null
            && Get("ReplicaName") is null && Get("Msg") is not null)
            return;
        // Projected queries rename the columns (AppName, Revision, Message, Time).
        var revision = Get("RevisionName") ?? Get("Revision") ?? Get("ExecutionName");
        // The app's own controller rows (RollingRevisionCompleted, ContainerAppReady, RevisionUpdate) come with an empty
        // revision and Type Normal: progress of the app, not of a container, so a query's output is not refused for them.
        if (revision is null && Get("Type") == "Normal") return;
        // Any other row without a revision or execution names no instance the console can show.
        if (revision is null) throw item.Missing("RevisionName");
        // A query that filters on the app often projects it away; a revision is always named "<app>--<suffix>".
        var app = Get("ContainerAppName") ?? Get("AppName") ?? Get("JobName") ?? AppOfRevision(revision) ?? throw item.Missing("ContainerAppName");
        var log = Get("Log") ?? Get("Msg") ?? Get("Message");
        var timeText = Get("TimeGenerated") ?? Get("TimeStamp") ?? Get("Time");
        DateTimeOffset? time = null;
        if (timeText is not null)
        {
            time = SourceTime.TryParse(timeText, out var parsed)
                ? parsed
                : throw new PayloadException(item.Item, "TimeGenerated", $"Field 'TimeGenerated' must be a timestamp {SourceTime.RangeText}, not \"{timeText}\".");
        }

        // Entry is the platform's event reason (ContainerTerminated, ContainerBackOff…); State its severity (Normal/Warning).
        var record = context.Add(item, SourceName, format, Get("Reason") ?? "system-log", $"{ContainerAppsProfile.KeyPrefix}/{app}/{revision}", $"{app} · {revision}",
            [new(ContainerAppsProfile.App, app), new(ContainerAppsProfile.Revision, revision)], time);
        record.Location = Get("ReplicaName");
        record.State = Get("Type");
        record.Reason = Get("Reason");
        record.Message = log;
        record.Stage = Get("EventSource");
        record.OccurrenceCount = int.TryParse(Get("Count")?.Split('.')[0], out var count) && count > 0 ? count : 1;

        if (log is null) return;
        // There is no exit-code column: the termination text carries the code, and the platform's own text the reason too.
        // A manual stop reports an empty code ("exit code ''"); its reason still says what happened.
        if (Terminated().Match(log) is { Success: true } terminated)
        {
            if (terminated.Groups["code"].Value.Length > 0)
                record.ExitCode = int.Parse(terminated.Groups["code"].Value, System.Globalization.CultureInfo.InvariantCulture);
            if (terminated.Groups["reason"].Success) record.Reason = terminated.Groups["reason"].Value;
        }
        if (ProvisioningErrorCode().Match(log) is { Success: true } code)
            record.ErrorCode = code.Groups[1].Value;
    }

    private static string? AppOfRevision(string revision) =>
        revision.IndexOf("--", StringComparison.Ordinal) is > 0 and var end ? revision[..end] : null;

    private static string? CellText(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Null or JsonValueKind.Undefined => null,
        _ => value.GetRawText(),
    };

    /// <summary>
    /// The exit of a container in the log text: the platform's "was terminated with exit code '137' and reason
    /// 'OOMKilled'" (quoted, the code empty on a manual stop), and the unquoted forms rows and guides also show:
    /// "Container terminated with exit code 139 (SIGSEGV)", "exited with code 1", "exit code: 1".
    /// </summary>
    [GeneratedRegex(@"(?:terminated|exited) with (?:exit )?code:?\s*(?:'(?<code>-?\d*)'|(?<code>-?\d+)\b)(?: and reason '(?<reason>[^']*)')?|\bexit code:\s*(?<code>-?\d+)\b", RegexOptions.IgnoreCase)]
    private static partial Regex Terminated();

    [GeneratedRegex(@"ErrorCode:\s*\[([^\]]+)\]")]
    private static partial Regex ProvisioningErrorCode();
}
