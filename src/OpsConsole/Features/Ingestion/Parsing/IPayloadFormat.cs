namespace OpsConsole.Features.Ingestion.Parsing;

/// <summary>One payload shape a real system emits, recognised by its shape.</summary>
public interface IPayloadFormat
{
    /// <summary>The name accepted by <c>?format=</c>.</summary>
    string Name { get; }

    /// <summary>Whether a top-level JSON value has this format's shape.</summary>
    bool Matches(PayloadNode node);

    /// <summary>Turns one top-level value into records (a list shape adds one record per fact it holds).</summary>
    void Parse(PayloadNode node, ParseContext context);
}
