using CiliumDocker.Datapath;
using NUnit.Framework;

namespace CiliumDocker.Tests.Datapath;

internal sealed class NoEndpointDatapathTests
{
    [Test]
    [CancelAfter(5_000)]
    public async Task CreateAsync_AnyEndpoint_ReportsAnEmptyPair()
    {
        var datapath = new NoEndpointDatapath();

        var pair = await datapath.CreateAsync(new VethRequest(new string('a', 64), null, 1500, default), CancellationToken.None);

        Assert.That(pair, Is.EqualTo(new VethPair(string.Empty, 0, string.Empty, string.Empty, string.Empty)));
    }

    [Test]
    public void CreateAsync_NullRequest_Throws() =>
        Assert.That(() => new NoEndpointDatapath().CreateAsync(null!, CancellationToken.None), Throws.ArgumentNullException);

    [Test]
    [CancelAfter(5_000)]
    public async Task DeleteAsync_AnyEndpoint_Succeeds() =>
        await new NoEndpointDatapath().DeleteAsync(new string('b', 64), CancellationToken.None);
}
