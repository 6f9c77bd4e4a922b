using OpsConsole.Sources.Containers;

namespace OpsConsole.Tests.Sources.Containers;

/// <summary>What a container exit code means.</summary>
public sealed class ExitCodesTests
{
    [Theory]
    [InlineData(137, "SIGKILL")]
    [InlineData(127, "not found")]
    [InlineData(143, "SIGTERM")]
    [InlineData(130, "signal 2")]
    [InlineData(42, "application-defined")]
    public void Exit_codes_say_what_they_mean(int code, string meaning) => Assert.Contains(meaning, ExitCodes.Meaning(code));
}
