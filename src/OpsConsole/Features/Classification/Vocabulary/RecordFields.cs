using System.Globalization;
using OpsConsole.Features.Records;

namespace OpsConsole.Features.Classification.Vocabulary;

/// <summary>
/// The record fields rule conditions and vocabulary tables name, by the names rule files and vocabulary files use.
/// Numbers are compared as their invariant text, so a table can key exit codes as "137".
/// </summary>
public static class RecordFields
{
    // By the names files use; classifying reads a field with Read (a switch the JIT turns into a jump, inlined into
    // the caller) rather than through a delegate per field, which cost an indirect call for every condition and table.
    private static readonly Dictionary<string, RecordField> ByName = new(StringComparer.OrdinalIgnoreCase)
    {
        ["kind"] = RecordField.Kind,
        ["source"] = RecordField.Source,
        ["format"] = RecordField.Format,
        ["state"] = RecordField.State,
        ["reason"] = RecordField.Reason,
        ["message"] = RecordField.Message,
        ["errorCode"] = RecordField.ErrorCode,
        ["stage"] = RecordField.Stage,
        ["signal"] = RecordField.Signal,
        ["entry"] = RecordField.Entry,
        ["exitCode"] = RecordField.ExitCode,
        ["httpCode"] = RecordField.HttpCode,
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

    public static IReadOnlyCollection<string> Names => ByName.Keys;

    /// <summary>The field a file names, if it is one.</summary>
    public static bool TryGet(string name, out RecordField field) => ByName.TryGetValue(name, out field);

    /// <summary>The field the code itself names (a rule condition); an unknown name is a programming error.</summary>
    public static RecordField Field(string name) =>
        ByName.TryGetValue(name, out var field) ? field : throw new ArgumentOutOfRangeException(nameof(name), name, "not a record field");

    /// <summary>The field's value in the record (a number field as its invariant text).</summary>
    public static string? Read(EventRecord record, RecordField field) => field switch
    {
        RecordField.Kind => record.Kind,
        RecordField.Source => record.Source,
        RecordField.Format => record.Format,
        RecordField.State => record.State,
        RecordField.Reason => record.Reason,
        RecordField.Message => record.Message,
        RecordField.ErrorCode => record.ErrorCode,
        RecordField.Stage => record.Stage,
        RecordField.Signal => record.Signal,
        RecordField.Entry => record.Entry,
        RecordField.ExitCode => Text(record.ExitCode),
        RecordField.HttpCode => Text(record.HttpCode),
        _ => throw new ArgumentOutOfRangeException(nameof(field)),
    };

    /// <summary>A number field's value (<see cref="RecordField.ExitCode"/> or <see cref="RecordField.HttpCode"/>).</summary>
    public static int? Number(EventRecord record, RecordField field) =>
        field == RecordField.ExitCode ? record.ExitCode : record.HttpCode;
}

/// <summary>The record fields rule conditions and vocabulary tables name (see <see cref="RecordFields"/>).</summary>
public enum RecordField : byte { Kind, Source, Format, State, Reason, Message, ErrorCode, Stage, Signal, Entry, ExitCode, HttpCode }
