namespace OpsConsole.Features.Embed;

public sealed class EmbedOptions
{
    public const string SectionName = "Embed";

    /// <summary>Who may frame the panels: the value of <c>Content-Security-Policy: frame-ancestors</c> on /embed routes.</summary>
    public string FrameAncestors { get; set; } = "'self'";

    /// <summary>Read-only embed tokens from configuration (tokens made in the console are stored hashed).</summary>
    public List<string> Tokens { get; set; } = [];

    /// <summary>Lets /embed routes open without a token (a wall screen on a trusted network).</summary>
    public bool AllowAnonymous { get; set; }
}
