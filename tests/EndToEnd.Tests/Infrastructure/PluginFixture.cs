namespace EndToEnd.Tests.Infrastructure;

/// <summary>
/// A fixture with a plugin of its own (managed unless it says otherwise), enabled for all its tests, and a <see cref="Cleanup"/> per test
/// that removes what the test created whether it passed or not.
/// </summary>
public abstract class PluginFixture
{
    private readonly Cleanup _fixtureCleanup = new();

    protected PluginFixture(string plugin)
        : this(PluginForm.Managed(plugin))
    {
    }

    protected PluginFixture(PluginForm form)
    {
        Form = form;
    }

    protected PluginForm Form { get; }

    /// <summary>The driver name networks are created with.</summary>
    protected string Plugin => Form.Driver;

    internal Cleanup Cleanup { get; private set; } = new();

    [OneTimeSetUp]
    public void EnablePlugin() => Form.Start(_fixtureCleanup);

    [OneTimeTearDown]
    public void RemovePlugin() => _fixtureCleanup.Run();

    [SetUp]
    public void NewCleanup() => Cleanup = new Cleanup();

    [TearDown]
    public void RemoveWhatTheTestCreated() => Cleanup.Run();

    /// <summary><c>docker network create --driver P --ipam-driver P [options] NAME</c>, removed after the test.</summary>
    protected string CreateNetwork(params string[] options)
    {
        var name = Cleanup.Network(Names.Unique("cnet"));
        Docker.MustRun(["network", "create", "--driver", Plugin, "--ipam-driver", Plugin, .. options, name]);
        return name;
    }

    /// <summary>An httpd container serving "hello from app1", removed after the test.</summary>
    protected string RunServer(string network, params string[] options)
    {
        var name = Cleanup.Container(Names.Unique("app"));
        Docker.MustRun(["run", "-d", "--name", name, "--net", network, .. options, E2EEnvironment.Image, "httpd", "-f", "-p", "80", "-h", "/www"]);
        return name;
    }

    protected static string EndpointId(string container, string network) =>
        Docker.MustRun("inspect", "-f", "{{(index .NetworkSettings.Networks \"" + network + "\").EndpointID}}", container);
}
