using OpsConsole.Features.Classification;
using OpsConsole.Features.Records;

namespace OpsConsole.Tests.Features.Classification;

public sealed class RuleSetTests
{
    private static readonly (string Origin, string Yaml)[] Shipped = [.. IncidentClassifier.ShippedRuleFiles()];

    private static EventRecord Record(string kind = "container", string source = "kubernetes", int? exitCode = null, string? reason = null,
        string? message = null, string entry = "terminated", string? state = null, string? hints = null, string? errorCode = null) => new()
    {
        Kind = kind, Source = source, Format = "test", Entry = entry, InstanceKey = "k", InstanceName = "k", DedupeKey = "d", RawJson = "{}",
        ExitCode = exitCode, Reason = reason, Message = message, State = state, Hints = hints, ErrorCode = errorCode,
    };

    [Fact]
    public void A_pattern_that_runs_away_on_a_message_does_not_match_instead_of_failing_the_request()
    {
        const string yaml = "rules:\n  - id: runaway\n    category: exit.abort\n    severity: error\n    when: { message: '^(a+)+$' }";
        var rules = RuleSet.Load([("extra.yaml", yaml), .. Shipped], regexTimeout: TimeSpan.FromMilliseconds(20));

        var result = rules.Classify(Record(exitCode: 1, message: new string('a', 40) + "!"));

        Assert.Equal("exit.app-error", result.Category);
    }

    [Theory]
    [InlineData("rules:\n  - id: a\n    category: exit.bogus\n    severity: error\n    when: { exitCode: [1] }", "rule 'a' names category 'exit.bogus'")]
    [InlineData("rules:\n  - category: exit.app-error\n    severity: error\n    when: { exitCode: [1] }", "rule #1 has no id")]
    [InlineData("rules:\n  - id: a\n    category: exit.app-error\n    severity: loud\n    when: { exitCode: [1] }", "rule 'a' has severity 'loud'")]
    [InlineData("rules:\n  - id: a\n    category: exit.app-error\n    severity: error\n    when: { message: '(unclosed' }", "rule 'a' 'message' is not a valid regular expression")]
    [InlineData("rules:\n  - id: a\n    category: exit.app-error\n    severity: error\n    when: { }", "rule 'a' has no conditions")]
    [InlineData("rules:\n  - id: a\n    category: exit.app-error\n    severity: error", "rule 'a' has no 'when'")]
    [InlineData("rules:\n  - id: a\n    category: exit.app-error\n    severity: error\n    when: { exitCode: [one] }", "rule 'a' 'exitCode' value 'one'")]
    [InlineData("rules:\n  - id: a\n    category: exit.app-error\n    severity: error\n    when: { exitCod: [1] }", "extra.yaml: line 5")]
    [InlineData("rules:\n  - id: a\n    category: exit.app-error\n    severity: error\n    when: { exitCode: [1] }\n  - id: a\n    category: exit.other\n    severity: error\n    when: { exitCode: [2] }", "rule 'a' id is already used")]
    public void Invalid_rules_are_refused_with_a_message_naming_the_rule(string yaml, string expected)
    {
        var error = Assert.Throws<RuleValidationException>(() => RuleSet.Load([("extra.yaml", yaml)]));
        Assert.Contains(expected, error.Message);
        Assert.StartsWith("extra.yaml:", error.Message);
    }

    [Fact]
    public void An_extra_rule_with_the_id_of_a_shipped_rule_is_refused()
    {
        var yaml = "rules:\n  - id: exit-1\n    category: exit.other\n    severity: error\n    when: { exitCode: [1] }";
        var error = Assert.Throws<RuleValidationException>(() => RuleSet.Load([("extra.yaml", yaml), .. Shipped]));
        Assert.Contains("rule 'exit-1' id is already used in extra.yaml", error.Message);
    }

    [Fact]
    public void The_first_matching_rule_wins_and_earlier_files_come_first()
    {
        var extra = "rules:\n  - id: ci-exit-1\n    category: exit.other\n    severity: warning\n    when: { source: [ci], exitCode: [1] }";
        var rules = RuleSet.Load([("extra.yaml", extra), .. Shipped]);

        var overridden = rules.Classify(Record(source: "ci", exitCode: 1));
        Assert.Equal(("exit.other", "ci-exit-1", "warning"), (overridden.Category, overridden.RuleId, overridden.Severity));
        var untouched = rules.Classify(Record(source: "kubernetes", exitCode: 1));
        Assert.Equal(("exit.app-error", "exit-1"), (untouched.Category, untouched.RuleId));
    }

    [Fact]
    public void The_rule_set_version_changes_with_the_text_of_any_file()
    {
        var a = RuleSet.Load([.. Shipped]);
        var b = RuleSet.Load([.. Shipped]);
        var c = RuleSet.Load([.. Shipped[..^1], (Shipped[^1].Origin, Shipped[^1].Yaml + "\n# edited\n")]);
        Assert.Equal(a.Version, b.Version);
        Assert.NotEqual(a.Version, c.Version);
    }

    [Theory]
    [InlineData(137, "OOMKilled", null, null, "exit.oom-killed")]
    [InlineData(137, "Error", null, null, "exit.sigkill")]
    [InlineData(137, null, null, "oom-evidence", "exit.oom-killed")]
    [InlineData(137, null, "Memory cgroup out of memory: Killed process 12", null, "exit.oom-killed")]
    [InlineData(0, "Completed", null, null, "exit.completed")]
    [InlineData(143, null, null, null, "exit.sigterm")]
    [InlineData(139, null, null, null, "exit.segfault")]
    [InlineData(134, null, null, null, "exit.abort")]
    [InlineData(3, null, null, null, "exit.other")]
    [InlineData(1, "StartError", "exec: \"/entrypoint.sh\": permission denied", null, "exit.not-executable")]
    [InlineData(128, "StartError", "exec: \"tini\": executable file not found in $PATH", null, "exit.command-not-found")]
    [InlineData(1, null, "/app/server: error while loading shared libraries: libssl.so.3: cannot open shared object file", null, "exit.command-not-found")]
    public void Exit_codes_follow_their_meaning(int exitCode, string? reason, string? message, string? hints, string category)
    {
        var rules = RuleSet.Load([.. Shipped]);
        Assert.Equal(category, rules.Classify(Record(exitCode: exitCode, reason: reason, message: message, hints: hints)).Category);
    }

    [Theory]
    [InlineData("Failed", "Failed to pull image \"r.io/a:1\": rpc error: code = Unknown desc = failed to authorize: failed to fetch oauth token: unexpected status: 403 Forbidden", "image.pull-auth")]
    [InlineData("Failed", "Failed to pull image \"r.io/a:1\": rpc error: code = NotFound desc = failed to pull and unpack image: manifest unknown", "image.pull-not-found")]
    [InlineData("Failed", "Failed to pull image \"r.io/a:1\": rpc error: code = Unknown desc = failed to do request: Head \"https://r.io/v2/a/manifests/1\": dial tcp: lookup r.io: no such host", "image.pull-network")]
    [InlineData("Failed", "Error: configmap \"app-config\" not found", "container.config-error")]
    [InlineData("Unhealthy", "Readiness probe failed: Get \"http://10.1.2.3:8080/ready\": context deadline exceeded", "container.probe-failed")]
    [InlineData("Unhealthy", "Liveness probe failed: HTTP probe failed with statuscode: 401", "container.probe-failed")]
    [InlineData("FailedScheduling", "0/5 nodes are available: 5 Insufficient cpu.", "container.unschedulable")]
    [InlineData("Evicted", "The node was low on resource: ephemeral-storage.", "container.evicted")]
    [InlineData("Failed", "failed to prepare remote snapshot: fuse mount failed", "image.lazy-load-fallback")]
    [InlineData("Failed", "span digests do not match", "image.corrupt")]
    [InlineData("Failed", "failed to prepare remote snapshot: skipping mounting layer sha256:abc as FUSE mount: no zTOC for layer", "none")]
    [InlineData("Failed", "unable to fetch SOCI artifacts: failed to resolve: 401 Unauthorized", "image.pull-auth")]
    [InlineData("Failed", "unable to fetch SOCI artifacts: context canceled", "image.lazy-load-fallback")]
    [InlineData("Failed", "Retrying request: GET https://r.io/v2/a/blobs/sha256:1 returned 503", "image.pull-network")]
    [InlineData("Failed", "failed to resolve layer (timeout)", "image.pull-network")]
    [InlineData("Warning", "Maximum Allowed Cores exceeded for the Managed Environment.", "container.unschedulable")]
    [InlineData("OutOfmemory", "Node didn't have enough resource: memory, requested: 8589934592, used: 0, capacity: 4102832128", "container.unschedulable")]
    [InlineData("Terminated", "Pod was terminated in response to imminent node shutdown.", "exit.sigterm")]
    public void Kubernetes_warning_events_follow_reason_and_message_family(string reason, string message, string category)
    {
        var rules = RuleSet.Load([.. Shipped]);
        Assert.Equal(category, rules.Classify(Record(entry: "event", state: "Warning", reason: reason, message: message)).Category);
    }

    [Theory]
    [InlineData("Quota exceeded for instances: Requested 1, but already used 10 of 10 instances", 403, "api", "vm.api.quota")]
    [InlineData("Policy doesn't allow os_compute_api:servers:create:forced_host to be performed.", 403, "api", "vm.api.forbidden")]
    [InlineData("The request you have made requires authentication.", 401, "api", "vm.api.auth")]
    [InlineData("Flavor m1.huge could not be found.", 404, "api", "vm.api.invalid-request")]
    [InlineData("Block Device Mapping is Invalid: failed to get volume 0d4c.", 500, null, "vm.compute.volume")]
    [InlineData("Image 2b7c is unacceptable: Image signature verification failed", 500, null, "vm.compute.image")]
    [InlineData("Binding failed for port 11aa, please check neutron logs for more information.", 500, null, "vm.compute.network")]
    [InlineData("Insufficient compute resources: Free memory 1024.00 MB < requested 8192 MB.", 500, null, "vm.compute.hypervisor")]
    [InlineData("Build of instance 4d7a aborted: Timeout waiting for vif plugging callback for instance with vm_state building", 500, null, "vm.compute.network")]
    public void Nova_faults_follow_the_documented_message_families(string message, int httpCode, string? stage, string category)
    {
        var rules = RuleSet.Load([.. Shipped]);
        var record = Record(kind: "vm", source: "nova", entry: "fault", state: "ERROR", message: message);
        record.HttpCode = httpCode;
        record.Stage = stage;
        Assert.Equal(category, rules.Classify(record).Category);
    }

    [Theory]
    [InlineData(10, "invalid checksum", "item", "deploy.verify.checksum")]
    [InlineData(7, "timeout", "instance", "deploy.launch.timeout")]
    [InlineData(1, "can't download blob: HTTP_CODE: 404", "item", "deploy.download.http-404")]
    [InlineData(1, "can't download blob: HTTP_CODE: 403", "download-alert", "deploy.download.http-403")]
    [InlineData(1, "download failed: CURLE_COULDNT_CONNECT", "item", "deploy.download.network-unreachable")]
    [InlineData(1, "CURLE_OPERATION_TIMEDOUT", "download-alert", "deploy.download.timeout")]
    [InlineData(1, "space allocation failed", "item", "deploy.download.disk-full")]
    [InlineData(5, "GetLayerPath: layer not found", "instance", "deploy.launch.missing-layer")]
    [InlineData(1, "PrepareRootFS: can't mount overlay", "instance", "deploy.launch.overlay-mount")]
    [InlineData(1, "StartInstance: systemd: D-Bus connection refused", "instance", "deploy.launch.systemd-unit")]
    [InlineData(1, "Failed to download: HTTP error 404", "item", "deploy.download.http-404")]
    [InlineData(1, "download cancelled", "download-alert", "none")]
    [InlineData(5, "", "instance", "deploy.launch.missing-layer")]
    public void Aos_errors_follow_codes_and_messages(int aosCode, string message, string entry, string category)
    {
        var rules = RuleSet.Load([.. Shipped]);
        string[] names = ["eNone", "eFailed", "eRuntime", "eNoMemory", "eOutOfRange", "eNotFound", "eInvalidArgument", "eTimeout", "eAlreadyExist", "eWrongState", "eInvalidChecksum"];
        var record = Record(kind: "unit", source: "aos", entry: entry, state: "failed", message: message, errorCode: names[aosCode]);
        Assert.Equal(category, rules.Classify(record).Category);
    }

    [Fact]
    public void The_evidence_names_the_fields_and_the_matched_text()
    {
        var rules = RuleSet.Load([.. Shipped]);
        var oom = rules.Classify(Record(exitCode: 137, reason: "OOMKilled"));
        Assert.Equal("exit-oom-reason", oom.RuleId);
        Assert.Contains("reason=OOMKilled", oom.Evidence);
        Assert.Contains("exitCode=137", oom.Evidence);

        var pull = rules.Classify(Record(entry: "event", state: "Warning", reason: "Failed", message: "Failed to pull image \"x\": manifest unknown"));
        Assert.Contains("message~\"", pull.Evidence);
        Assert.Contains("manifest unknown", pull.Evidence);
    }

    [Fact]
    public void A_failure_no_rule_knows_is_unknown_and_says_what_it_saw()
    {
        var rules = RuleSet.Load([.. Shipped]);
        // A Warning event is marked as an error by Kubernetes itself, so the unknown is an error, not a warning.
        var result = rules.Classify(Record(entry: "event", state: "Warning", reason: "SomethingNew", message: "never seen"));
        Assert.Equal(("unknown", "error", "fallback-unknown"), (result.Category, result.Severity, result.RuleId));
        Assert.Contains("reason=SomethingNew", result.Evidence);
        Assert.True(result.IsFailure);
    }

    [Fact]
    public void Every_taxonomy_category_is_reachable_by_some_rule_or_pattern()
    {
        var rules = RuleSet.Load([.. Shipped]);
        var produced = rules.Categories
            .Concat(["deploy.stalled", "vm.stalled", "restart.crash-loop", "unknown", "node.commission.controller-unreachable"]).ToHashSet();
        var missing = Taxonomy.All.Select(c => c.Id).Where(id => !produced.Contains(id)).ToList();
        Assert.Empty(missing);
    }
}
