using System.Globalization;
using OpsConsole.Features.Records;

namespace OpsConsole.Features.Classification.Vocabulary;

/// <summary>
/// The record fields rule conditions and vocabulary tables name, by the names rule files and vocabulary files use.
/// Numbers are compared as their invariant text, so a table can key exit codes as "137".
/// </summary>
public static class RecordFields
{
    private static readonly Dictionary<string, Func<EventRecord, string?>> Accessors = new(StringComparer.OrdinalIgnoreCase)
    {
        ["kind"] = r => r.Kind,
        ["source"] = r => r.Source,
        ["format"] = r => r.Format,
        ["state"] = r => r.State,
        ["reason"] = r => r.Reason,
        ["message"] = r => r.Message,
        ["errorCode"] = r => r.ErrorCode,
        ["stage"] = r => r.Stage,
        ["signal"] = r => r.Signal,
        ["entry"] = r => r.Entry,
        ["exitCode"] = r => Text(r.ExitCode),
        ["httpCode"] = r => Text(r.HttpCode),
    };

    // Exit codes and HTTP statuses are small: their text is made once, not on every read of every record.
    private static readonly string[] SmallNumbers = [.. Enumerable.Range(0, 1024).Select(n => n.ToString(CultureInfo.InvariantCulture))];

    /// <summary>A number field's invariant text.</summary>
    public static string? Text(int? number) => number switch
    {
        null => null,
        >= 0 and < 1024 => SmallNumbers[number.Value],
        _ => number.Value.ToString(CultureInfo.InvariantCulture),
    };

    public static IReadOnlyCollection<string> Names => Accessors.Keys;

    public static bool TryGet(string name, out Func<EventRecord, string?> accessor) => Accessors.TryGetValue(name, out accessor!);

    /// <summary>The accessor of a field the code itself names (a rule condition); an unknown name is a programming error.</summary>
    public static Func<EventRecord, string?> Get(string name) =>
        Accessors.TryGetValue(name, out var accessor) ? accessor : throw new ArgumentOutOfRangeException(nameof(name), name, "not a record field");
}
