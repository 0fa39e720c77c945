namespace CiliumDocker.Labels;

/// <summary>Turns Docker labels into the Cilium label strings the agent derives an endpoint's identity from.</summary>
internal static class ContainerLabels
{
    /// <summary>Cilium's label source for labels that come from the container runtime.</summary>
    public const string Source = "container";

    /// <summary>
    /// <c>container:key=value</c> (or <c>container:key</c> for an empty value), image labels first overridden by
    /// container labels, ordered by key so the same container always yields the same request.
    /// </summary>
    public static IReadOnlyList<string> From(IReadOnlyDictionary<string, string?>? imageLabels, IReadOnlyDictionary<string, string?>? containerLabels)
    {
        var merged = new SortedDictionary<string, string?>(StringComparer.Ordinal);
        foreach (var labels in new[] { imageLabels, containerLabels })
        {
            if (labels is null)
            {
                continue;
            }

            foreach (var (key, value) in labels)
            {
                merged[key] = value;
            }
        }

        var result = new List<string>(merged.Count);
        foreach (var (key, value) in merged)
        {
            result.Add(string.IsNullOrEmpty(value) ? $"{Source}:{key}" : $"{Source}:{key}={value}");
        }

        return result;
    }
}
