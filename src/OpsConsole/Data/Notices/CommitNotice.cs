using System.Text.Json.Serialization;
using OpsConsole.Features.Records;

namespace OpsConsole.Data.Notices;

/// <summary>What a commit changed; a notice may name several (a reconnect names all).</summary>
[Flags]
public enum CommitKinds
{
    /// <summary>New records, or a repeated event's count on a stored one.</summary>
    Records = 1,
    /// <summary>Stored records reclassified or instance states rebuilt.</summary>
    Classification = 2,
    /// <summary>Acknowledgements, mutes and silences made, changed or ended.</summary>
    Acknowledgement = 4,
    /// <summary>Old records deleted.</summary>
    Retention = 8,
    /// <summary>API keys or embed tokens made or revoked.</summary>
    Access = 16,
    All = Records | Classification | Acknowledgement | Retention | Access,
}

/// <summary>
/// One committed batch, as the store announces it to every listener on every node: what kind of change, the ids of the
/// records it added (<see cref="From"/> … <see cref="HighWater"/>, 0 when none) and the instances it touched. Ids only,
/// never entities, so it fits a PostgreSQL NOTIFY payload; listeners read what they need by id.
/// </summary>
public sealed record CommitNotice(CommitKinds Kinds, long From, long HighWater, IReadOnlyList<string>? InstanceKeys)
{
    /// <summary>Past this many characters of keys a notice says "any instance" (null keys): NOTIFY payloads stay far below 8 kB.</summary>
    internal const int MaxKeyCharacters = 4_000;

    /// <summary>
    /// The records themselves, only on the node that committed them (never serialised): that node holds them already,
    /// so its listeners need not read them back. Other nodes read <see cref="From"/> … <see cref="HighWater"/>.
    /// </summary>
    [JsonIgnore]
    public IReadOnlyList<EventRecord>? Records { get; init; }

    /// <summary>True when the change may concern this instance (null keys: any instance).</summary>
    public bool Touches(string instanceKey) => InstanceKeys is null || InstanceKeys.Contains(instanceKey, StringComparer.Ordinal);

    /// <summary>A notice naming these instances, or any instance when they are too many to list.</summary>
    public static CommitNotice Of(CommitKinds kinds, IEnumerable<string>? instanceKeys, long from = 0, long highWater = 0)
    {
        List<string>? keys = null;
        if (instanceKeys is not null)
        {
            keys = [];
            var characters = 0;
            foreach (var key in instanceKeys.Distinct(StringComparer.Ordinal))
            {
                characters += key.Length;
                if (characters > MaxKeyCharacters)
                {
                    keys = null;
                    break;
                }
                keys.Add(key);
            }
        }
        return new CommitNotice(kinds, from, highWater, keys);
    }

    /// <summary>After a gap in the notices (a lost connection): anything may have changed since <paramref name="cursor"/>.</summary>
    public static CommitNotice Everything(long cursor, long highWater) => new(CommitKinds.All, cursor + 1, highWater, null);
}
