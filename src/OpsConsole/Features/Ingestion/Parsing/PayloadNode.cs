using System.Globalization;
using System.Text.Json;

namespace OpsConsole.Features.Ingestion.Parsing;

/// <summary>
/// A JSON element that knows which input item it belongs to and its path, so a wrong type or a
/// missing field is reported as "item 3, field status.containerStatuses[0].state".
/// Every field is optional unless read with a Required… method; unknown fields are ignored.
/// </summary>
public readonly struct PayloadNode
{
    // A child keeps its parent's path and its own name apart: the joined path is only wanted for an error message,
    // and joining it on every field read cost a string per nested field of every item.
    private readonly string _parentPath;
    private readonly string? _name;

    public PayloadNode(JsonElement element, int item, string path)
    {
        Element = element;
        Item = item;
        _parentPath = path;
    }

    private PayloadNode(JsonElement element, int item, string parentPath, string name)
    {
        Element = element;
        Item = item;
        _parentPath = parentPath;
        _name = name;
    }

    public JsonElement Element { get; }
    public int Item { get; }
    public string Path => _name is null ? _parentPath : JoinPath(_parentPath, _name);

    public JsonValueKind ValueKind => Element.ValueKind;
    public bool IsObject => Element.ValueKind == JsonValueKind.Object;

    public string Raw => Element.GetRawText();

    public bool Has(string name) =>
        IsObject && Element.TryGetProperty(name, out var v) && v.ValueKind is not JsonValueKind.Null and not JsonValueKind.Undefined;

    /// <summary>
    /// <see cref="Has(string)"/> by the name's UTF-8 bytes: the formats' shape tests ask this of every item, and a
    /// string name is transcoded to UTF-8 on each lookup.
    /// </summary>
    public bool Has(ReadOnlySpan<byte> utf8Name) =>
        IsObject && Element.TryGetProperty(utf8Name, out var v) && v.ValueKind is not JsonValueKind.Null and not JsonValueKind.Undefined;

    public PayloadNode? Child(string name)
    {
        if (!IsObject || !Element.TryGetProperty(name, out var value) || value.ValueKind is JsonValueKind.Null)
            return null;
        return new PayloadNode(value, Item, Path, name);
    }

    public PayloadNode? Obj(string name)
    {
        var child = Child(name);
        if (child is null) return null;
        if (child.Value.ValueKind != JsonValueKind.Object)
            throw Wrong(child.Value, "an object");
        return child;
    }

    public PayloadNode RequiredObj(string name) => Obj(name) ?? throw Missing(name);

    public IEnumerable<PayloadNode> Array(string name)
    {
        var child = Child(name);
        if (child is null) return [];
        if (child.Value.ValueKind != JsonValueKind.Array)
            throw Wrong(child.Value, "an array");
        return child.Value.Elements();
    }

    public IEnumerable<PayloadNode> Elements()
    {
        var index = 0;
        foreach (var element in Element.EnumerateArray())
            yield return new PayloadNode(element, Item, $"{Path}[{index++}]");
    }

    /// <summary>A string; numbers and booleans are accepted as their text (the az CLI stringifies everything).</summary>
    public string? Str(string name)
    {
        var child = Child(name);
        if (child is null) return null;
        var v = child.Value.Element;
        return v.ValueKind switch
        {
            JsonValueKind.String => v.GetString(),
            JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => v.GetRawText(),
            _ => throw Wrong(child.Value, "a string"),
        };
    }

    /// <summary>A JSON string and nothing else, for fields whose meaning a number cannot have (an action, a path).</summary>
    public string? Text(string name)
    {
        var child = Child(name);
        if (child is null) return null;
        return child.Value.Element.ValueKind == JsonValueKind.String ? child.Value.Element.GetString() : throw Wrong(child.Value, "a string");
    }

    /// <summary>
    /// A name that becomes part of an instance key: a non-empty string without control characters (a NUL in a
    /// pod name would make an instance no one can type). Null when absent.
    /// </summary>
    public string? Name(string name)
    {
        var value = Str(name);
        if (value is null) return null;
        // char.IsControl's two ranges, searched in the span rather than char by char through LINQ.
        if (value.Length == 0 || value.AsSpan().IndexOfAnyInRange('\0', '\u001f') >= 0 || value.AsSpan().IndexOfAnyInRange('\u007f', '\u009f') >= 0)
            throw new PayloadException(Item, Join(name), $"Field '{Join(name)}' must be a name without control characters, not \"{Shorten(value.Replace("\0", "\\0", StringComparison.Ordinal))}\".");
        return value;
    }

    public string RequiredName(string name) => Name(name) ?? throw Missing(name);

    public string RequiredStr(string name)
    {
        var value = Str(name);
        return string.IsNullOrEmpty(value) ? throw Missing(name) : value;
    }

    /// <summary>An integer given as a number or as a numeric string ("137", "1.0").</summary>
    public long? Long(string name)
    {
        var child = Child(name);
        if (child is null) return null;
        var v = child.Value.Element;
        if (v.ValueKind == JsonValueKind.Number)
        {
            if (v.TryGetInt64(out var whole)) return whole;
            if (v.TryGetDouble(out var d) && d == Math.Floor(d) && Math.Abs(d) < 9e18) return (long)d;
        }
        else if (v.ValueKind == JsonValueKind.String)
        {
            var s = v.GetString();
            if (string.IsNullOrWhiteSpace(s) || s == "None") return null;
            if (long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed)) return parsed;
            if (double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && d == Math.Floor(d) && Math.Abs(d) < 9e18)
                return (long)d;
        }
        throw Wrong(child.Value, "an integer");
    }

    public int? Int(string name)
    {
        var value = Long(name);
        if (value is null) return null;
        if (value is < int.MinValue or > int.MaxValue)
            throw new PayloadException(Item, Join(name), $"Field '{Join(name)}' is out of range for a 32-bit integer.");
        return (int)value;
    }

    public bool? Bool(string name)
    {
        var child = Child(name);
        if (child is null) return null;
        var v = child.Value.Element;
        return v.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.String when bool.TryParse(v.GetString(), out var b) => b,
            _ => throw Wrong(child.Value, "a boolean"),
        };
    }

    public DateTimeOffset? Time(string name)
    {
        var child = Child(name);
        if (child is null) return null;
        var v = child.Value.Element;
        if (v.ValueKind == JsonValueKind.String)
        {
            var text = v.GetString();
            if (string.IsNullOrWhiteSpace(text) || text == "None") return null;
            return SourceTime.TryParse(text, out var time) ? time : throw Wrong(child.Value, $"a timestamp {SourceTime.RangeText}");
        }
        if (v.ValueKind == JsonValueKind.Number)
            return v.TryGetInt64(out var unix) && SourceTime.FromUnix(unix) is { } time
                ? time
                : throw Wrong(child.Value, $"a timestamp {SourceTime.RangeText}");
        throw Wrong(child.Value, "a timestamp");
    }

    /// <summary>Unix seconds, milliseconds or nanoseconds in a number field, in range.</summary>
    public DateTimeOffset? UnixTime(string name)
    {
        if (Long(name) is not { } value) return null;
        return SourceTime.FromUnix(value) ?? throw Wrong(Child(name)!.Value, $"a timestamp {SourceTime.RangeText}");
    }

    public PayloadException Missing(string name) =>
        new(Item, Join(name), $"Required field '{Join(name)}' is missing or empty.");

    private PayloadException Wrong(PayloadNode node, string expected) =>
        new(Item, node.Path, $"Field '{node.Path}' must be {expected}, not {Describe(node.Element)}.");

    private static string Describe(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => $"the string \"{Shorten(element.GetString())}\"",
        JsonValueKind.Number => $"the number {element.GetRawText()}",
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => element.ValueKind.ToString().ToLowerInvariant(),
    };

    private static string Shorten(string? s) => s is null ? "" : s.Length <= 40 ? s : s[..40] + "…";

    private string Join(string name) => JoinPath(Path, name);

    private static string JoinPath(string path, string name) => path.Length == 0 ? name : $"{path}.{name}";
}
