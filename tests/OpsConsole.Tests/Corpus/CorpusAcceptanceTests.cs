using System.Net;

namespace OpsConsole.Tests.Corpus;

/// <summary>Every payload copied from the upstream projects is accepted: a refusal would lose every failure in it.</summary>
public sealed class CorpusAcceptanceTests : IClassFixture<OpsConsoleFactory>
{
    private readonly OpsConsoleFactory _factory;

    public CorpusAcceptanceTests(OpsConsoleFactory factory) => _factory = factory;

    [Theory]
    [MemberData(nameof(CorpusPayloads.UpstreamNames), MemberType = typeof(CorpusPayloads))]
    public async Task Every_upstream_payload_is_accepted(string name)
    {
        var payload = CorpusPayloads.Named(name);
        using var response = await _factory.CreateApiClient().PostJsonTextAsync(payload.Url, payload.Read(), payload.ContentType);
        var body = await response.ReadJsonAsync();

        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{name} → {(int)response.StatusCode}: {body}");
        Assert.True(body.GetProperty("accepted").GetInt32() + body.GetProperty("duplicates").GetInt32() == body.GetProperty("records").GetArrayLength());
        // A stream may skip lines that are not JSON; each one is named by its line, with the reason.
        if (body.TryGetProperty("rejected", out var rejected))
        {
            Assert.NotEqual(0, rejected.GetArrayLength());
            foreach (var line in rejected.EnumerateArray())
            {
                Assert.True(line.GetProperty("line").GetInt32() > 0);
                Assert.False(string.IsNullOrWhiteSpace(line.GetProperty("problem").GetString()));
            }
        }
    }
}
