namespace OpsConsole.Features.Audit;

/// <summary>The actions the audit trail records; filters on the audit page offer these.</summary>
public static class AuditActions
{
    public const string SignIn = "signin";
    public const string SignInFailed = "signin.failed";
    public const string SignOut = "signout";
    public const string Setup = "setup";
    public const string Acknowledge = "instance.acknowledge";
    public const string Mute = "instance.mute";
    public const string Unmute = "instance.clear";
    public const string SilenceCreate = "silence.create";
    public const string SilenceExpire = "silence.expire";
    public const string Tick = "runbook.tick";
    public const string Reclassify = "reclassify";
    public const string TokenCreate = "token.create";
    public const string TokenRevoke = "token.revoke";
    public const string KeyCreate = "key.create";
    public const string KeyRevoke = "key.revoke";
    public const string UserCreate = "user.create";
    public const string UserRole = "user.role";
    public const string UserDelete = "user.delete";
    public const string UserBlock = "user.block";
    public const string UserUnblock = "user.unblock";
    public const string ChannelCreate = "channel.create";
    public const string ChannelDelete = "channel.delete";
    public const string ChannelTest = "channel.test";

    public static readonly IReadOnlyList<string> All =
    [
        SignIn, SignInFailed, SignOut, Setup, Acknowledge, Mute, Unmute, SilenceCreate, SilenceExpire, Tick, Reclassify,
        TokenCreate, TokenRevoke, KeyCreate, KeyRevoke, UserCreate, UserRole, UserDelete, UserBlock, UserUnblock,
        ChannelCreate, ChannelDelete, ChannelTest,
    ];
}
