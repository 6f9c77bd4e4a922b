namespace OpsConsole.Features.Instances;

/// <summary>The parts of an instance key, named the way each source names them (README: "What a record keeps").</summary>
public static class InstanceIdentity
{
    public static IReadOnlyList<(string Label, string Value)> Parts(string instanceKey)
    {
        var p = instanceKey.Split('/');
        string[] labels = p[0] switch
        {
            "aos" when p.Length == 5 => ["unit", "item", "subject", "instance"],
            "aos" => ["unit", "part", "id"],
            "k8s" when p.Length > 2 && p[2] == "node" => ["cluster", "", "node"],
            "k8s" when p.Length == 4 => ["cluster", "namespace", "pod"],
            "k8s" => ["cluster", "namespace", "pod", "container"],
            "aca" => ["app", "revision"],
            "docker" => ["host", "container"],
            "nova" => ["cloud", "server"],
            "maas" => ["region", "machine"],
            _ => ["source", "instance"],
        };
        var offset = p[0] is "aos" or "k8s" or "aca" or "docker" or "nova" or "maas" ? 1 : 0;
        var parts = new List<(string, string)>();
        for (var i = 0; i < labels.Length && i + offset < p.Length; i++)
            if (labels[i].Length > 0) parts.Add((labels[i], p[i + offset]));
        // Anything beyond the known parts (a workload path in the simple shape) stays with the last part.
        if (labels.Length + offset < p.Length && parts.Count > 0)
            parts[^1] = (parts[^1].Item1, string.Join('/', p[(labels.Length + offset - 1)..]));
        return parts;
    }

    public static string Describe(string instanceKey) => string.Join(" · ", Parts(instanceKey).Select(p => $"{p.Label} {p.Value}"));
}
