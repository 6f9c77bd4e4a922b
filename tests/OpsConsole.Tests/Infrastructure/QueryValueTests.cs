using System.Net;
using System.Net.Sockets;
using System.Text;
using OpsConsole.Infrastructure;

namespace OpsConsole.Tests.Infrastructure;

/// <summary>Malformed query values answer a default or a 400, never a 500; client faults log one line.</summary>
public sealed class QueryValueTests : IClassFixture<QueryValueTests.Fixture>
{
    private const string Token = "query-token-51c2";
    private readonly Fixture _factory;

    public QueryValueTests(Fixture factory) => _factory = factory;

    public sealed class Fixture() : OpsConsoleFactory(new Dictionary<string, string?> { ["Embed:Tokens:0"] = Token });

    [Theory]
    [InlineData("/?muted=maybe")]
    [InlineData("/?muted=")]
    [InlineData("/runbooks/exit.app-error?record=abc")]
    [InlineData("/runbooks/exit.app-error?record=99999999999999999999999")]
    [InlineData("/embed/failing?limit=99999999999&token=" + Token)]
    [InlineData("/embed/failing?limit=-5&token=" + Token)]
    [InlineData("/embed/rotate?panels=summary,failing&interval=abc&token=" + Token)]
    public async Task Pages_treat_a_malformed_value_as_absent(string url)
    {
        var response = await _factory.CreateClient().GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("/api/v1/records?limit=abc")]
    [InlineData("/api/v1/records?limit=99999999999")]
    [InlineData("/api/v1/instances/failing?offset=x")]
    [InlineData("/api/v1/instances/failing?includeMuted=maybe")]
    [InlineData("/api/v1/records?since=yesterday")]
    public async Task Apis_answer_400_for_a_malformed_value(string url)
    {
        var response = await _factory.CreateApiClient().GetAsync(url);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("maybe", false)]
    [InlineData("true", true)]
    [InlineData("1", true)]
    [InlineData(null, false)]
    public void Flags_parse_leniently(string? value, bool expected) => Assert.Equal(expected, QueryValue.Flag(value));

    [Fact]
    public void Ints_saturate_instead_of_overflowing()
    {
        Assert.Equal(int.MaxValue, QueryValue.Int("99999999999"));
        Assert.Null(QueryValue.Int("ten"));
    }
}

/// <summary>Slow request bodies against the real Kestrel: each logs one line, no stack trace.</summary>
[Collection(ConsoleProcess.Collection)]
public sealed class ClientFaultLoggingTests
{
    [Fact]
    public async Task Slow_bodies_time_out_with_one_log_line_each_and_no_stack_trace()
    {
        var directory = Path.Combine(Path.GetTempPath(), "opsconsole-tests", Guid.NewGuid().ToString("n"));
        Directory.CreateDirectory(directory);
        await using var console = ConsoleProcess.Start(Path.Combine(directory, "ops.db"), OpsConsoleFactory.ApiKey);
        await console.WaitHealthyAsync(TimeSpan.FromSeconds(120));

        // Kestrel's minimum body rate (240 B/s after a 5 s grace) cuts each of these off; the sender trickles one byte a second.
        var senders = Enumerable.Range(0, 5).Select(async _ =>
        {
            using var client = new TcpClient();
            await client.ConnectAsync("127.0.0.1", console.Port);
            var stream = client.GetStream();
            var head = $"POST /api/v1/container-exits HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Api-Key: {OpsConsoleFactory.ApiKey}\r\nContent-Type: application/json\r\nContent-Length: 10000\r\n\r\n";
            await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
            var answer = new byte[4096];
            var read = stream.ReadAsync(answer).AsTask();
            for (var i = 0; i < 15 && !read.IsCompleted; i++)
            {
                try { await stream.WriteAsync("["u8.ToArray()); } catch (IOException) { break; }
                await Task.WhenAny(read, Task.Delay(1000));
            }
            var count = await read.WaitAsync(TimeSpan.FromSeconds(10));
            return Encoding.ASCII.GetString(answer, 0, count);
        }).ToList();
        var answers = await Task.WhenAll(senders);

        Assert.All(answers, a => Assert.StartsWith("HTTP/1.1 408", a));
        await Task.Delay(500);
        var log = console.Output;
        Assert.Equal(5, log.Split('\n').Count(l => l.Contains("POST /api/v1/container-exits: 408", StringComparison.Ordinal)));
        Assert.DoesNotContain("   at ", log);
        try { Directory.Delete(directory, recursive: true); } catch (IOException) { }
    }
}
