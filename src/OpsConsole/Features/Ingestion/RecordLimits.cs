using OpsConsole.Features.Records;

namespace OpsConsole.Features.Ingestion;

/// <summary>Caps stored strings; a cut field is named in the record's <c>Truncated</c>, never cut silently.</summary>
public static class RecordLimits
{
    public const int MaxShortText = 512;

    /// <summary>A source name is a metric label and a page heading; no real one is longer.</summary>
    public const int MaxSource = 128;

    public static void Apply(EventRecord record, int maxMessageLength, int maxRawChars = int.MaxValue)
    {
        List<string>? cut = null;
        string? Cap(string? value, int max, string field)
        {
            if (value is null || value.Length <= max) return value;
            (cut ??= []).Add(field);
            return value[..(max - 1)] + "…";
        }

        record.Message = Cap(record.Message, maxMessageLength, "message");
        record.Source = Cap(record.Source, MaxSource, "source")!;
        record.Entry = Cap(record.Entry, MaxShortText, "entry")!;
        record.InstanceName = Cap(record.InstanceName, MaxShortText, "instanceName")!;
        record.Location = Cap(record.Location, MaxShortText, "location");
        record.RequestId = Cap(record.RequestId, MaxShortText, "requestId");
        record.State = Cap(record.State, MaxShortText, "state");
        record.Signal = Cap(record.Signal, MaxShortText, "signal");
        record.Reason = Cap(record.Reason, MaxShortText, "reason");
        record.ErrorCode = Cap(record.ErrorCode, MaxShortText, "errorCode");
        record.Stage = Cap(record.Stage, MaxShortText, "stage");
        // The instance key is an identity: cutting it would merge instances, so an over-long key is hashed instead.
        if (record.InstanceKey.Length > MaxShortText)
        {
            (cut ??= []).Add("instanceKey");
            record.InstanceKey = $"{record.InstanceKey[..(MaxShortText - 40)]}#{Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(record.InstanceKey)))[..32]}";
        }
        if (record.RawJson.Length > maxRawChars)
        {
            (cut ??= []).Add("raw");
            record.RawJson = TruncatedRaw(record.RawJson, maxRawChars);
        }
        record.Truncated = cut is null ? null : string.Join(',', cut);
    }

    /// <summary>
    /// The stored copy of an over-long item: still JSON (the API returns it as <c>raw</c>), saying it was cut,
    /// how long the original was, and its beginning as text.
    /// </summary>
    private static string TruncatedRaw(string raw, int maxChars) =>
        System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["opsconsoleTruncated"] = true,
            ["originalLength"] = raw.Length,
            ["head"] = raw[..maxChars],
        });
}
