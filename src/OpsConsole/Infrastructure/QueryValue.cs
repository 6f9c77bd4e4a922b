using System.Globalization;

namespace OpsConsole.Infrastructure;

/// <summary>
/// Page query values read as text and parsed here: Blazor's typed query binding throws on "maybe" or an
/// overflowing number, which answered 500. A value that does not parse is treated as absent (the default).
/// </summary>
public static class QueryValue
{
    public static bool Flag(string? value) =>
        value is not null && (bool.TryParse(value, out var flag) ? flag : value is "1" or "on" or "yes");

    public static long? Long(string? value) =>
        long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number) ? number : null;

    /// <summary>An int; a number too large or too small for one saturates, so a clamp downstream still applies.</summary>
    public static int? Int(string? value) =>
        long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number)
            ? (int)Math.Clamp(number, int.MinValue, int.MaxValue)
            : null;
}
