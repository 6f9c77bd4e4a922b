using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OpsConsole.Data;
using OpsConsole.Data.Notices;
using OpsConsole.Features.Auth;
using OpsConsole.Features.Ingestion;
using OpsConsole.Infrastructure;

namespace OpsConsole.Features.ApiKeys;

/// <summary>The key a request presented: its name, its scopes and, for keys made in the console, its id.</summary>
public sealed record KeyMatch(string Name, IReadOnlyList<string> Scopes, int? StoredId);

/// <summary>
/// Every API key the console accepts and what each may do: ingestion keys (<c>Ingestion:ApiKeys</c> and the one
/// generated at first start) can only send records; keys from <c>Auth:ApiKeys</c> and keys made on the API keys page
/// carry their own scopes. All are held as hashes and compared in constant time. A key made or revoked on any node is
/// announced, and every node reloads its list.
/// </summary>
public sealed class AccessKeyStore
{
    private readonly ApiKeyStore ingestionKeys;
    private readonly IDbContextFactory<OpsDbContext> databases;
    private readonly TimeProvider clock;
    private readonly ICommitFeed notices;

    public AccessKeyStore(IOptions<AuthOptions> options, ApiKeyStore ingestionKeys, IDbContextFactory<OpsDbContext> databases, TimeProvider clock,
        ICommitFeed notices, ILogger<AccessKeyStore> logger)
    {
        this.ingestionKeys = ingestionKeys;
        this.databases = databases;
        this.clock = clock;
        this.notices = notices;
        _configured = [.. options.Value.ApiKeys.Select(FromConfiguration)];
        notices.ReloadOn(CommitKinds.Access, () => ReloadAsync(CancellationToken.None), logger);
    }

    private static readonly TimeSpan LastUsedResolution = TimeSpan.FromMinutes(1);
    private readonly Candidate[] _configured;
    private Candidate[] _stored = [];
    private readonly System.Collections.Concurrent.ConcurrentDictionary<int, DateTimeOffset> _lastTouched = new();

    private sealed record Candidate(byte[] Hash, KeyMatch Match, DateTimeOffset? ExpiresAt);

    public Task InitializeAsync(CancellationToken cancellationToken) => ReloadAsync(cancellationToken);

    public KeyMatch? Find(string? presented)
    {
        if (string.IsNullOrEmpty(presented)) return null;
        if (ingestionKeys.IsValid(presented)) return new KeyMatch("ingestion key", [KeyScopes.Ingest], null);
        var hash = Secrets.Hash(presented);
        var now = clock.GetUtcNow();
        Candidate? found = null;
        // No early exit: timing says nothing about which key (if any) matched.
        foreach (var candidate in _configured.Concat(Volatile.Read(ref _stored)))
            if (CryptographicOperations.FixedTimeEquals(hash, candidate.Hash)) found = candidate;
        return found is null || found.ExpiresAt <= now ? null : found.Match;
    }

    /// <summary>Records when a stored key was last used, at most once a minute per key.</summary>
    public async Task TouchAsync(KeyMatch match, CancellationToken cancellationToken)
    {
        if (match.StoredId is not { } id) return;
        var now = clock.GetUtcNow();
        if (_lastTouched.TryGetValue(id, out var last) && now - last < LastUsedResolution) return;
        _lastTouched[id] = now;
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        await db.AccessKeys.Where(k => k.Id == id).ExecuteUpdateAsync(s => s.SetProperty(k => k.LastUsedAt, now), cancellationToken);
    }

    /// <summary>Makes a key; the returned secret is shown once and never stored.</summary>
    public async Task<(AccessKey Key, string Secret)> CreateAsync(string name, IEnumerable<string> scopes, DateTimeOffset? expiresAt,
        string createdBy, CancellationToken cancellationToken)
    {
        var scopeList = scopes.Distinct().ToList();
        if (scopeList.Count == 0 || scopeList.Any(s => !KeyScopes.IsKnown(s)))
            throw new ArgumentException($"Scopes must be some of {string.Join(", ", KeyScopes.All)}.", nameof(scopes));
        var secret = Secrets.New("opk_");
        var trimmed = string.IsNullOrWhiteSpace(name) ? "api key" : name.Trim();
        var key = new AccessKey
        {
            Name = trimmed[..Math.Min(trimmed.Length, 200)],
            KeyHash = Secrets.Hash(secret),
            Hint = secret[^4..],
            Scopes = string.Join(' ', scopeList),
            CreatedAt = clock.GetUtcNow(),
            CreatedBy = createdBy,
            ExpiresAt = expiresAt,
        };
        await using (var db = await databases.CreateDbContextAsync(cancellationToken))
        {
            db.AccessKeys.Add(key);
            await db.SaveChangesAsync(cancellationToken);
        }
        await ReloadAsync(cancellationToken);
        notices.Publish(CommitNotice.Of(CommitKinds.Access, null));
        return (key, secret);
    }

    /// <summary>Revokes a key; gives its name, or null when no active key has that id.</summary>
    public async Task<string?> RevokeAsync(int id, CancellationToken cancellationToken)
    {
        string? name;
        await using (var db = await databases.CreateDbContextAsync(cancellationToken))
        {
            var now = clock.GetUtcNow();
            name = await db.AccessKeys.Where(k => k.Id == id && k.RevokedAt == null).Select(k => k.Name).FirstOrDefaultAsync(cancellationToken);
            await db.AccessKeys.Where(k => k.Id == id && k.RevokedAt == null)
                .ExecuteUpdateAsync(s => s.SetProperty(k => k.RevokedAt, now), cancellationToken);
        }
        await ReloadAsync(cancellationToken);
        notices.Publish(CommitNotice.Of(CommitKinds.Access, null));
        return name;
    }

    public async Task<IReadOnlyList<AccessKey>> ListAsync(CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        return await db.AccessKeys.AsNoTracking().OrderByDescending(k => k.Id).ToListAsync(cancellationToken);
    }

    private async Task ReloadAsync(CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var active = await db.AccessKeys.AsNoTracking().Where(k => k.RevokedAt == null).ToListAsync(cancellationToken);
        Volatile.Write(ref _stored, [.. active.Select(k => new Candidate(k.KeyHash, new KeyMatch(k.Name, k.ScopeList, k.Id), k.ExpiresAt))]);
    }

    private static Candidate FromConfiguration(ConfiguredApiKey key, int index)
    {
        var unknown = key.Scopes.FirstOrDefault(s => !KeyScopes.IsKnown(s));
        if (key.Scopes.Count == 0 || unknown is not null)
            throw new InvalidOperationException($"Auth:ApiKeys:{index}:Scopes must list some of {string.Join(", ", KeyScopes.All)}" +
                                                (unknown is null ? "." : $"; '{unknown}' is none of them."));
        byte[] hash;
        if (!string.IsNullOrWhiteSpace(key.Key)) hash = Secrets.Hash(key.Key);
        else if (key.KeyHash is { Length: 64 } hex && hex.All(Uri.IsHexDigit)) hash = Convert.FromHexString(hex);
        else throw new InvalidOperationException($"Auth:ApiKeys:{index} needs Key, or KeyHash as 64 hex digits (SHA-256 of the key).");
        return new Candidate(hash, new KeyMatch(key.Name, key.Scopes, null), null);
    }
}
