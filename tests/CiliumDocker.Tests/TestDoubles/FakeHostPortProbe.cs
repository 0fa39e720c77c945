using CiliumDocker.Ports;

namespace CiliumDocker.Tests.TestDoubles;

/// <summary>Host ports held by other processes, as a test declares them; no socket is bound.</summary>
internal sealed class FakeHostPortProbe : IHostPortProbe
{
    private readonly Lock _lock = new();
    private readonly List<PortFrontend> _held = [];

    public (int First, int Last) EphemeralRange { get; set; } = (49153, 49160);

    public void Hold(PortFrontend frontend)
    {
        lock (_lock)
        {
            _held.Add(frontend);
        }
    }

    public string? FindHolder(PortFrontend frontend)
    {
        lock (_lock)
        {
            return _held.Exists(held => held.Overlaps(frontend)) ? "a process on this host uses it" : null;
        }
    }
}
