using OpsConsole.Features.Classification;
using OpsConsole.Features.Records;

namespace OpsConsole.Tests.Features.Classification;

/// <summary>Rules are indexed by the values they list exactly; the first rule in file order must still win.</summary>
public sealed class RuleIndexTests
{
    private const string Rules = """
        rules:
          - id: failed-prefix
            category: exit.other
            severity: error
            when: { reason: ['Failed*'] }
          - id: exact-reason
            category: exit.oom-killed
            severity: error
            when: { reason: [FailedMount, OOMKilled], state: [waiting] }
          - id: message-only
            category: deploy.download.disk-full
            severity: error
            when: { message: 'disk full' }
          - id: state-only
            category: container.unschedulable
            severity: warning
            when: { state: [waiting], hasExitCode: false }
        """;

    private static readonly RuleSet Set = RuleSet.Load([("extra.yaml", Rules)]);

    private static EventRecord Record(string? reason, string? state, string? message = null, int? exitCode = null) => new()
    {
        Kind = "container", Source = "kubernetes", Format = "test", Entry = "event", InstanceKey = "k", InstanceName = "k", DedupeKey = "d",
        RawJson = "{}", Reason = reason, State = state, Message = message, ExitCode = exitCode,
    };

    [Theory]
    [InlineData("FailedMount", "waiting", null, null, "failed-prefix")] // a prefix rule listed first wins over a later exact one
    [InlineData("oomkilled", "WAITING", null, null, "exact-reason")] // indexed values compare ignoring case
    [InlineData("OOMKilled", "running", "the Disk Full again", null, "message-only")]
    [InlineData(null, "waiting", null, null, "state-only")]
    [InlineData(null, "waiting", null, 1, "fallback-unknown")]
    [InlineData("OOMKilled", "running", null, null, "fallback-unknown")]
    public void The_first_rule_in_file_order_whose_conditions_all_hold_wins(string? reason, string? state, string? message, int? exitCode, string rule) =>
        Assert.Equal(rule, Set.Classify(Record(reason, state, message, exitCode)).RuleId);

    private const string NumberRules = """
        rules:
          - id: no-exit-code
            category: container.unschedulable
            severity: warning
            when: { hasExitCode: false, reason: [Pending] }
          - id: server-errors
            category: deploy.download.http-5xx
            severity: error
            when: { httpCode: [500-599] }
          - id: oom-or-segfault
            category: exit.oom-killed
            severity: error
            when: { exitCode: [137, 139] }
          - id: wide-range
            category: exit.other
            severity: error
            when: { httpCode: [600-9999] }
          - id: any-exit-code
            category: exit.other
            severity: warning
            when: { hasExitCode: true }
        """;

    private static readonly RuleSet Numbers = RuleSet.Load([("numbers.yaml", NumberRules)]);

    [Theory]
    [InlineData("Pending", null, null, "no-exit-code")]
    [InlineData("Pending", 0, null, "any-exit-code")] // hasExitCode: false does not take a record with one
    [InlineData(null, 139, 503, "server-errors")] // the first rule in file order still wins
    [InlineData(null, 139, 404, "oom-or-segfault")]
    [InlineData(null, 1, null, "any-exit-code")]
    [InlineData(null, 2, 7000, "wide-range")] // a field whose ranges are too wide to index is still tested
    [InlineData(null, -1, null, "any-exit-code")]
    [InlineData(null, null, 500, "server-errors")]
    [InlineData(null, null, 499, "fallback-unknown")]
    public void Exit_and_http_codes_narrow_the_candidates_without_changing_the_winner(string? reason, int? exitCode, int? httpCode, string rule)
    {
        var record = Record(reason, state: null, exitCode: exitCode);
        record.HttpCode = httpCode;
        Assert.Equal(rule, Numbers.Classify(record).RuleId);
    }
}
