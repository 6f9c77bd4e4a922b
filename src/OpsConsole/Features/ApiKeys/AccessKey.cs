using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace OpsConsole.Features.ApiKeys;

/// <summary>A scoped API key made by an admin; only its SHA-256 hash is stored, the secret is shown once.</summary>
public sealed class AccessKey
{
    public int Id { get; set; }
    public required string Name { get; set; }
    public required byte[] KeyHash { get; set; }

    /// <summary>The key's last characters, so admins can tell keys apart without the secret.</summary>
    public required string Hint { get; set; }

    /// <summary>Space-separated scopes (<see cref="KeyScopes"/>).</summary>
    public required string Scopes { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
    public string? CreatedBy { get; set; }
    public DateTimeOffset? ExpiresAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }
    public DateTimeOffset? LastUsedAt { get; set; }

    public IReadOnlyList<string> ScopeList => Scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries);
}

internal sealed class AccessKeyConfiguration : IEntityTypeConfiguration<AccessKey>
{
    public void Configure(EntityTypeBuilder<AccessKey> builder)
    {
        builder.ToTable("access_keys");
        builder.HasIndex(k => k.KeyHash).IsUnique();
        builder.Property(k => k.Name).HasMaxLength(200);
        builder.Property(k => k.Scopes).HasMaxLength(100);
        builder.Property(k => k.CreatedBy).HasMaxLength(256);
        builder.Ignore(k => k.ScopeList);
    }
}

/// <summary>What a key may do: send records, read, or act on instances (acknowledge, mute, reclassify).</summary>
public static class KeyScopes
{
    public const string Ingest = "ingest";
    public const string Read = "read";
    public const string Operate = "operate";

    public static readonly IReadOnlyList<string> All = [Ingest, Read, Operate];

    public static bool IsKnown(string scope) => All.Contains(scope);
}
