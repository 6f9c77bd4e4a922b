using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OpsConsole.Data;
using OpsConsole.Infrastructure;

namespace OpsConsole.Features.Ingestion;

/// <summary>
/// The ingestion keys the console accepts, held only as SHA-256 hashes and compared in constant time.
/// Sources: Ingestion:ApiKeys, keys generated at first start (stored hashed), and process-local keys
/// (the demo feeder's).
/// </summary>
public sealed partial class ApiKeyStore(IOptions<IngestionOptions> options, IDbContextFactory<OpsDbContext> databases,
    TimeProvider clock, ILogger<ApiKeyStore> logger)
{
    private readonly Lock _gate = new();
    private byte[][] _hashes = [.. options.Value.ApiKeys.Where(k => !string.IsNullOrWhiteSpace(k)).Select(Secrets.Hash)];

    public bool HasConfiguredKeys => options.Value.ApiKeys.Any(k => !string.IsNullOrWhiteSpace(k));

    /// <summary>Loads stored keys; with none configured or stored, generates one and logs it once.</summary>
    public async Task InitializeAsync(string publicUrl, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var stored = await db.ApiKeys.AsNoTracking().Select(k => k.KeyHash).ToListAsync(cancellationToken);
        lock (_gate) _hashes = [.. _hashes, .. stored];
        if (HasConfiguredKeys || stored.Count > 0) return;

        var key = NewKey();
        db.ApiKeys.Add(new ApiKey { Label = "generated at first start", KeyHash = Secrets.Hash(key), CreatedAt = clock.GetUtcNow() });
        await db.SaveChangesAsync(cancellationToken);
        AddLocal(key);
        LogGeneratedKey(logger, key);
        // A plain line, not inside the JSON log (which writes its quotes as \u0027): a newcomer pastes it as it is.
        Console.Out.WriteLine($"OpsConsole generated an ingestion key. Try it: {TryCommand(publicUrl, key)}");
    }

    /// <summary>A curl line that works as pasted: it posts a real record (an OOM-killed container) with the key.</summary>
    public static string TryCommand(string publicUrl, string key) =>
        $"curl -X POST {publicUrl.TrimEnd('/')}/api/v1/container-exits -H 'X-Api-Key: {key}' -H 'Content-Type: application/json' " +
        $"-d '{FirstRecord}'";

    /// <summary>The body <see cref="TryCommand"/> posts.</summary>
    public const string FirstRecord = """{"source": "first-try", "instance": "web-1", "exitCode": 137, "reason": "OOMKilled"}""";

    /// <summary>Accepts a key for this process only (not stored); used for the demo feeder and the start-up request.</summary>
    public void AddLocal(string key)
    {
        var hash = Secrets.Hash(key);
        lock (_gate) _hashes = [.. _hashes, hash];
    }

    /// <summary>Stops accepting a key given to <see cref="AddLocal"/>.</summary>
    public void RemoveLocal(string key)
    {
        var hash = Secrets.Hash(key);
        lock (_gate) _hashes = [.. _hashes.Where(h => !h.AsSpan().SequenceEqual(hash))];
    }

    public bool IsValid(string? presented) => Secrets.MatchesAny(presented, Volatile.Read(ref _hashes));

    public static string NewKey() => Secrets.New("ops_");


    [LoggerMessage(Level = LogLevel.Warning, Message = "No ingestion key was configured, so one was generated. It is shown only this once; only its hash is stored. Key: {Key} (a curl line to try it is printed on standard output)")]
    private static partial void LogGeneratedKey(ILogger logger, string key);
}
