using System.Globalization;
using OpsConsole.Features.Records;

namespace OpsConsole.Features.Classification.Vocabulary;

/// <summary>
/// The record fields a vocabulary table may look in, by the names rule files and vocabulary files use.
/// Numbers are compared as their invariant text, so a table can key exit codes as "137".
/// </summary>
public static class RecordFields
{
    private static readonly Dictionary<string, Func<EventRecord, string?>> Accessors = new(StringComparer.OrdinalIgnoreCase)
    {
        ["state"] = r => r.State,
        ["reason"] = r => r.Reason,
        ["message"] = r => r.Message,
        ["errorCode"] = r => r.ErrorCode,
        ["stage"] = r => r.Stage,
        ["signal"] = r => r.Signal,
        ["entry"] = r => r.Entry,
        ["exitCode"] = r => r.ExitCode?.ToString(CultureInfo.InvariantCulture),
        ["httpCode"] = r => r.HttpCode?.ToString(CultureInfo.InvariantCulture),
    };

    public static IReadOnlyCollection<string> Names => Accessors.Keys;

    public static bool TryGet(string name, out Func<EventRecord, string?> accessor) => Accessors.TryGetValue(name, out accessor!);
}
