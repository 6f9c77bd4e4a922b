using OpsConsole.Infrastructure;

namespace OpsConsole.Data.Notices;

/// <summary>
/// Carries the store's commit notices to listeners (open pages, caches, detectors). The record store and the stores of
/// acknowledgements, silences and keys publish after each commit; on PostgreSQL every node hears every node's notices.
/// </summary>
public interface ICommitFeed
{
    /// <summary>Announces a commit; never throws to the writer (a broken listener is logged).</summary>
    void Publish(CommitNotice notice);

    IDisposable Subscribe(Action<CommitNotice> listener);
}

/// <summary>The notices of this process only: all there is on one node (SQLite).</summary>
public sealed class InProcessCommitFeed(ILogger<InProcessCommitFeed> logger) : ICommitFeed
{
    private readonly ListenerList<CommitNotice> _listeners = new(logger, "commit");

    public void Publish(CommitNotice notice) => _listeners.Invoke(notice);

    public IDisposable Subscribe(Action<CommitNotice> listener) => _listeners.Add(listener);
}

public static class CommitFeedExtensions
{
    /// <summary>
    /// Runs <paramref name="reload"/> after each notice of <paramref name="kinds"/> (from any node): how a cache of rows
    /// another node may change stays the same on every node. A failed reload is logged; the next notice tries again.
    /// </summary>
    public static IDisposable ReloadOn(this ICommitFeed feed, CommitKinds kinds, Func<Task> reload, ILogger logger) =>
        feed.Subscribe(notice =>
        {
            if ((notice.Kinds & kinds) == 0) return;
            _ = Task.Run(async () =>
            {
                try
                {
                    await reload();
                }
                catch (Exception ex)
                {
                    logger.LogWarning(ex, "Reloading after a {Kinds} notice failed", notice.Kinds);
                }
            });
        });
}
