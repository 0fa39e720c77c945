using CiliumAgentSim.Datapath;

namespace CiliumAgentSim.Tests.Support;

/// <summary>Records commands; a command fails when <see cref="Fails"/> says so, a tool exists unless listed missing.</summary>
internal sealed class FakeCommandRunner : ICommandRunner
{
    private readonly Lock _gate = new();
    private readonly List<string> _commands = [];

    public HashSet<string> MissingTools { get; } = [];

    public Func<string, bool> Fails { get; set; } = _ => false;

    public IReadOnlyList<string> Commands
    {
        get
        {
            lock (_gate)
            {
                return [.. _commands];
            }
        }
    }

    public Task<CommandResult> RunAsync(string tool, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var line = $"{tool} {string.Join(' ', arguments)}";
        lock (_gate)
        {
            _commands.Add(line);
        }

        return Task.FromResult(Fails(line) ? new CommandResult(1, "", "Cannot find device") : new CommandResult(0, "", ""));
    }

    public bool Exists(string tool) => !MissingTools.Contains(tool);
}
