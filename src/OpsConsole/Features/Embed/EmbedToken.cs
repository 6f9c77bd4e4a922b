using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace OpsConsole.Features.Embed;

/// <summary>A read-only token for /embed routes made in the console; only its SHA-256 hash is stored.</summary>
public sealed class EmbedToken
{
    public int Id { get; set; }
    public required string Label { get; set; }
    public required byte[] TokenHash { get; set; }

    /// <summary>The token's last characters, so operators can tell tokens apart without the secret.</summary>
    public required string Hint { get; set; }

    /// <summary>The one panel and filters it opens (<see cref="EmbedScope"/>); null opens every panel (tokens from before scopes).</summary>
    public string? Scope { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }
}

internal sealed class EmbedTokenConfiguration : IEntityTypeConfiguration<EmbedToken>
{
    public void Configure(EntityTypeBuilder<EmbedToken> builder)
    {
        builder.ToTable("embed_tokens");
        builder.HasIndex(t => t.TokenHash).IsUnique();
        builder.Property(t => t.Label).HasMaxLength(200);
        builder.Property(t => t.Scope).HasMaxLength(1000);
    }
}
