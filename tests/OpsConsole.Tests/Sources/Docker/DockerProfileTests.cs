using OpsConsole.Features.Records;
using OpsConsole.Features.Runbooks;

namespace OpsConsole.Tests.Sources.Docker;

/// <summary>The runbook values a Docker record gives: its host, container and the image it was created from.</summary>
public sealed class DockerProfileTests
{
    private static EventRecord Record(string format, string rawJson) => new()
    {
        Kind = "container",
        Source = "docker",
        Format = format,
        Entry = "die",
        InstanceKey = "docker/edge-9/batch",
        InstanceName = "edge-9/batch",
        Category = "exit.oom-killed",
        Severity = "error",
        OccurredAt = DateTimeOffset.Parse("2024-05-02T09:30:00Z", System.Globalization.CultureInfo.InvariantCulture),
        DedupeKey = "x",
        RawJson = rawJson,
    };

    [Theory]
    // An event names the image in its actor's attributes.
    [InlineData("docker-event", """{"Type":"container","Action":"die","Actor":{"ID":"9a8b","Attributes":{"image":"registry.local/batch:2.1","exitCode":"137"}}}""")]
    // Before API 1.22 an event had only the flat fields.
    [InlineData("docker-event", """{"status":"die","id":"9a8b","from":"registry.local/batch:2.1"}""")]
    // An inspection's top-level Image is the digest; the reference the container was created from is in Config.
    [InlineData("docker-inspect", """{"Id":"9a8b","Image":"sha256:4f2e","Config":{"Image":"registry.local/batch:2.1"},"State":{"Status":"exited","ExitCode":137}}""")]
    public void Each_payload_shape_names_the_image_the_container_was_created_from(string format, string rawJson)
    {
        var values = RunbookPlaceholders.For(Record(format, rawJson));

        Assert.Equal("registry.local/batch:2.1", values["image"]);
        Assert.Equal("edge-9", values["host"]);
        Assert.Equal("batch", values["container"]);
    }

    [Fact]
    public void A_payload_without_an_image_leaves_the_placeholder_for_the_operator()
    {
        var values = RunbookPlaceholders.For(Record("docker-inspect", """{"Id":"9a8b","State":{"Status":"exited","ExitCode":1}}"""));

        Assert.False(values.ContainsKey("image"));
    }
}
