using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OpsConsole.Data;
using OpsConsole.Data.Notices;
using OpsConsole.Infrastructure;

namespace OpsConsole.Features.Embed;

/// <summary>
/// Read-only embed tokens: from <c>Embed:Tokens</c> and made or revoked in the console. Held as SHA-256 hashes,
/// compared in constant time. A token opens /embed routes and nothing else; one made in the console opens only the panel
/// and filters it was made for. A token made or revoked on any node is announced, and every node reloads its list.
/// </summary>
public sealed class EmbedTokenStore
{
    private readonly IDbContextFactory<OpsDbContext> databases;
    private readonly TimeProvider clock;
    private readonly ICommitFeed notices;

    public EmbedTokenStore(IOptions<EmbedOptions> options, IDbContextFactory<OpsDbContext> databases, TimeProvider clock, ICommitFeed notices,
        ILogger<EmbedTokenStore> logger)
    {
        this.databases = databases;
        this.clock = clock;
        this.notices = notices;
        _configured = [.. options.Value.Tokens.Where(t => !string.IsNullOrWhiteSpace(t)).Select(t => (Secrets.Hash(t), (string?)null))];
        notices.ReloadOn(CommitKinds.Access, () => ReloadAsync(CancellationToken.None), logger);
    }

    private readonly (byte[] Hash, string? Scope)[] _configured;
    private (byte[] Hash, string? Scope)[] _stored = [];

    public async Task InitializeAsync(CancellationToken cancellationToken) => await ReloadAsync(cancellationToken);

    /// <summary>True when the token is valid and opens <paramref name="scope"/> (see <see cref="EmbedScope"/>).</summary>
    public bool Allows(string? presented, string scope)
    {
        if (string.IsNullOrEmpty(presented)) return false;
        var hash = Secrets.Hash(presented);
        var allowed = false;
        // No early exit: timing says nothing about which token matched.
        foreach (var (candidate, tokenScope) in _configured.Concat(Volatile.Read(ref _stored)))
            allowed |= System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(hash, candidate)
                       && (tokenScope is null || string.Equals(tokenScope, scope, StringComparison.Ordinal));
        return allowed;
    }

    /// <summary>Makes a token; the returned secret is shown once and never stored.</summary>
    public async Task<(EmbedToken Token, string Secret)> CreateAsync(string label, string? scope, CancellationToken cancellationToken)
    {
        var secret = Secrets.New("emb_");
        var token = new EmbedToken
        {
            Label = string.IsNullOrWhiteSpace(label) ? "wall screen" : label.Trim()[..Math.Min(label.Trim().Length, 200)],
            TokenHash = Secrets.Hash(secret),
            Hint = secret[^4..],
            Scope = scope,
            CreatedAt = clock.GetUtcNow(),
        };
        await using (var db = await databases.CreateDbContextAsync(cancellationToken))
        {
            db.EmbedTokens.Add(token);
            await db.SaveChangesAsync(cancellationToken);
        }
        await ReloadAsync(cancellationToken);
        notices.Publish(CommitNotice.Of(CommitKinds.Access, null));
        return (token, secret);
    }

    public async Task RevokeAsync(int id, CancellationToken cancellationToken)
    {
        await using (var db = await databases.CreateDbContextAsync(cancellationToken))
        {
            var now = clock.GetUtcNow();
            await db.EmbedTokens.Where(t => t.Id == id && t.RevokedAt == null)
                .ExecuteUpdateAsync(s => s.SetProperty(t => t.RevokedAt, now), cancellationToken);
        }
        await ReloadAsync(cancellationToken);
        notices.Publish(CommitNotice.Of(CommitKinds.Access, null));
    }

    public async Task<IReadOnlyList<EmbedToken>> ListAsync(CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        return await db.EmbedTokens.AsNoTracking().OrderByDescending(t => t.Id).ToListAsync(cancellationToken);
    }

    private async Task ReloadAsync(CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var active = await db.EmbedTokens.AsNoTracking().Where(t => t.RevokedAt == null)
            .Select(t => new { t.TokenHash, t.Scope }).ToListAsync(cancellationToken);
        Volatile.Write(ref _stored, [.. active.Select(t => (t.TokenHash, t.Scope))]);
    }
}
