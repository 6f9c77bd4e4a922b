using OpsConsole.Features.Records;

namespace OpsConsole.Features.Ingestion;

/// <summary>Caps stored strings; a cut field is named in the record's <c>Truncated</c>, never cut silently.</summary>
public static class RecordLimits
{
    public const int MaxShortText = 512;

    public static void Apply(EventRecord record, int maxMessageLength)
    {
        List<string>? cut = null;
        string? Cap(string? value, int max, string field)
        {
            if (value is null || value.Length <= max) return value;
            (cut ??= []).Add(field);
            return value[..(max - 1)] + "…";
        }

        record.Message = Cap(record.Message, maxMessageLength, "message");
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
        record.Truncated = cut is null ? null : string.Join(',', cut);
    }
}
