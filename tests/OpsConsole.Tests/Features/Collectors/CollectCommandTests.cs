using OpsConsole.Features.Collectors;

namespace OpsConsole.Tests.Features.Collectors;

/// <summary>The <c>collect</c> command line: options as configuration keys, and refusals before anything starts.</summary>
public sealed class CollectCommandTests
{
    [Fact]
    public void Kebab_case_options_become_configuration_keys_and_a_bare_flag_is_true()
    {
        var options = CollectCommand.ParseOptions(["--console", "http://c", "--amqp-queue=q1", "--durable", "--topics", "a,b"]);
        Assert.Equal("http://c", options["Console"]);
        Assert.Equal("q1", options["AmqpQueue"]);
        Assert.Equal("true", options["Durable"]);
        Assert.Equal("a,b", options["Topics"]);
        Assert.Throws<ArgumentException>(() => CollectCommand.ParseOptions(["stray"]));
    }

    [Theory]
    [InlineData("collect")]
    [InlineData("collect aos --console http://c --key k")]
    [InlineData("collect nova --key k --amqp amqp://h/")]
    [InlineData("collect nova --console ftp://c --key k --amqp amqp://h/")]
    [InlineData("collect nova --console http://c --amqp amqp://h/")]
    [InlineData("collect nova --console http://c --key k --amqp http://h/")]
    [InlineData("collect maas --console http://c --key k --maas http://m/MAAS --maas-key only:two")]
    [InlineData("collect docker --console http://c --key k --docker npipe:////./pipe/docker")]
    public async Task Unusable_arguments_exit_with_2_before_connecting_anywhere(string commandLine)
    {
        Assert.Equal(2, await CollectCommand.RunAsync(commandLine.Split(' ')));
    }
}
