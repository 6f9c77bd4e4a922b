using System.Collections.Concurrent;
using System.Net;

namespace OpsConsole.Features.Auth;

/// <summary>
/// Counts wrong keys, tokens and passwords per client address; past <see cref="Limit"/> failures within
/// <see cref="Window"/> the client is refused until the window has passed, so secrets cannot be guessed at speed.
/// </summary>
public sealed class ClientThrottle(TimeProvider clock)
{
    public const int Limit = 20;
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<string, Queue<DateTimeOffset>> _failures = new();

    public bool IsBlocked(IPAddress? client)
    {
        if (!_failures.TryGetValue(Key(client), out var failures)) return false;
        lock (failures)
        {
            Trim(failures);
            return failures.Count >= Limit;
        }
    }

    public void Fail(IPAddress? client)
    {
        var failures = _failures.GetOrAdd(Key(client), _ => new Queue<DateTimeOffset>());
        lock (failures)
        {
            Trim(failures);
            failures.Enqueue(clock.GetUtcNow());
        }
        if (_failures.Count > 10_000) Sweep();
    }

    private void Trim(Queue<DateTimeOffset> failures)
    {
        var since = clock.GetUtcNow() - Window;
        while (failures.Count > 0 && failures.Peek() < since) failures.Dequeue();
    }

    /// <summary>Drops clients whose failures have all aged out, so a scan from many addresses cannot grow the map forever.</summary>
    private void Sweep()
    {
        foreach (var (key, failures) in _failures)
            lock (failures)
            {
                Trim(failures);
                if (failures.Count == 0) _failures.TryRemove(key, out _);
            }
    }

    private static string Key(IPAddress? client) => client?.ToString() ?? "unknown";
}
