namespace OpsConsole.Sources.Containers;

/// <summary>What an exit status usually means (seed C's table, in our words); codes above 128 are signals.</summary>
public static class ExitCodes
{
    public static string Meaning(int code) => code switch
    {
        0 => "finished successfully (a problem only for a service meant to keep running)",
        1 => "application error: an unhandled failure in the program",
        2 => "shell misuse: bad syntax or a missing command in a script",
        100 => "application-defined (MongoDB uses it for an unhandled exception)",
        125 => "the runtime could not run the container command",
        126 => "the command cannot be executed (permissions or a broken dependency)",
        127 => "command or file not found",
        128 => "invalid argument to exit",
        134 => "aborted (SIGABRT)",
        137 => "killed (SIGKILL): memory limit, a grace period overrun, or node pressure",
        139 => "segmentation fault (SIGSEGV)",
        143 => "stopped gracefully (SIGTERM), usually by the platform",
        255 => "exit status out of range",
        > 128 and < 160 => $"killed by signal {code - 128}",
        _ => "application-defined code",
    };
}
