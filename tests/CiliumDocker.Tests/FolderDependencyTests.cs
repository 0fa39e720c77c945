using System.Text.RegularExpressions;
using NUnit.Framework;

namespace CiliumDocker.Tests;

/// <summary>
/// Keeps the plugin's layout: every folder of src/CiliumDocker uses only the folders below it. A folder's
/// dependencies are its files' <c>using CiliumDocker.X</c> lines and any <c>CiliumDocker.X.</c> written out in code.
/// </summary>
internal sealed partial class FolderDependencyTests
{
    /// <summary>Each folder and what it may use; the README's layout table shows the same matrix.</summary>
    public static readonly IReadOnlyDictionary<string, string[]> Allowed = new Dictionary<string, string[]>(StringComparer.Ordinal)
    {
        ["Hosting"] = ["Protocol", "Endpoints", "Ports", "Addresses", "Cleanup", "Agent", "Datapath", "Labels", "Observability", "Infrastructure"],
        ["Protocol"] = ["Endpoints", "Ports", "Addresses", "Cleanup", "Agent", "Datapath", "Labels", "Observability", "Infrastructure"],
        ["Endpoints"] = ["Ports", "Addresses", "Cleanup", "Agent", "Datapath", "Observability", "Infrastructure"],
        ["Ports"] = ["Cleanup", "Agent", "Infrastructure"],
        ["Addresses"] = ["Cleanup", "Agent", "Observability", "Infrastructure"],
        ["Cleanup"] = ["Agent", "Infrastructure"],
        ["Labels"] = ["Agent", "Infrastructure"],
        ["Agent"] = ["Infrastructure"],
        ["Datapath"] = ["Infrastructure"],
        ["Observability"] = ["Infrastructure"],
        ["Infrastructure"] = [],
    };

    private static string SourceRoot => Path.Combine(RepositoryPaths.Root, "src", "CiliumDocker");

    [Test]
    public void EveryFolder_UsesOnlyTheFoldersBelowIt()
    {
        var violations = new List<string>();
        foreach (var (folder, used, file) in References())
        {
            if (used != folder && !Allowed[folder].Contains(used))
            {
                violations.Add($"{file} ({folder}) uses {used}");
            }
        }

        Assert.That(violations, Is.Empty, "allowed: " + string.Join("; ", Allowed.Select(pair => $"{pair.Key} -> {string.Join(", ", pair.Value)}")));
    }

    [Test]
    public void EveryFolder_IsInTheMatrix()
    {
        var folders = Directory.GetDirectories(SourceRoot)
            .Select(Path.GetFileName)
            .Where(name => name is not ("bin" or "obj"))
            .Order(StringComparer.Ordinal);

        Assert.That(folders, Is.EquivalentTo(Allowed.Keys));
    }

    [Test]
    public void Matrix_HasNoCycle()
    {
        // Depth-first over the allowed edges: a folder met again on the current path closes a cycle.
        var path = new Stack<string>();
        void Visit(string folder)
        {
            Assert.That(path, Does.Not.Contain(folder), $"cycle: {string.Join(" <- ", path.Prepend(folder))}");
            path.Push(folder);
            foreach (var below in Allowed[folder])
            {
                Visit(below);
            }

            path.Pop();
        }

        foreach (var folder in Allowed.Keys)
        {
            Visit(folder);
        }
    }

    [Test]
    public void References_FindsTheUsingLinesOfAKnownFile()
    {
        // The scan itself must see something, or the dependency test could pass on nothing.
        var endpointLifecycle = References().Where(reference => reference.File.EndsWith("EndpointLifecycle.cs", StringComparison.Ordinal)).Select(reference => reference.Used);

        Assert.That(endpointLifecycle, Is.SupersetOf(new[] { "Agent", "Addresses", "Datapath" }));
    }

    private static IEnumerable<(string Folder, string Used, string File)> References()
    {
        foreach (var file in Directory.EnumerateFiles(SourceRoot, "*.cs", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(SourceRoot, file);
            var parts = relative.Split(Path.DirectorySeparatorChar);
            if (parts.Length < 2 || parts[0] is "bin" or "obj")
            {
                continue;
            }

            foreach (Match match in NamespaceReference().Matches(File.ReadAllText(file)))
            {
                yield return (parts[0], match.Groups["folder"].Value, relative);
            }
        }
    }

    [GeneratedRegex(@"\bCiliumDocker\.(?<folder>[A-Z]\w*)")]
    private static partial Regex NamespaceReference();
}
