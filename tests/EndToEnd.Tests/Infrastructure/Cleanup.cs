namespace EndToEnd.Tests.Infrastructure;

/// <summary>
/// What a test created, removed in reverse order in TearDown whether the test passed or not. Containers go
/// first, then networks, then plugins, mirroring what depends on what.
/// </summary>
internal sealed class Cleanup
{
    private readonly Stack<Action> _actions = new();

    public string Container(string name)
    {
        _actions.Push(() => Docker.TryRun("rm", "-f", name));
        return name;
    }

    public string Network(string name)
    {
        _actions.Push(() => Docker.TryRun("network", "rm", name));
        return name;
    }

    public string Plugin(string name)
    {
        _actions.Push(() => Docker.TryRun("plugin", "rm", "-f", name));
        return name;
    }

    public void Add(Action action) => _actions.Push(action);

    public void Run()
    {
        while (_actions.TryPop(out var action))
        {
            action();
        }
    }
}
