using CiliumDocker.Datapath.Netlink;
using NUnit.Framework;

namespace CiliumDocker.Tests.Datapath.Netlink;

[TestFixture]
[CancelAfter(10_000)]
internal sealed class NetlinkSocketPoolTests
{
    private int _opened;

    [SetUp]
    public void SetUp() => _opened = 0;

    [Test]
    public async Task RentAsync_AfterAReturn_ReusesThatSocket(CancellationToken cancellationToken)
    {
        using var pool = new NetlinkSocketPool(Open, maxSockets: 4);

        NetlinkSocket first;
        using (var lease = await pool.RentAsync(cancellationToken))
        {
            first = lease.Socket;
        }

        using var again = await pool.RentAsync(cancellationToken);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(again.Socket, Is.SameAs(first));
            Assert.That(_opened, Is.EqualTo(1));
        }
    }

    [Test]
    public async Task RentAsync_ConcurrentLeases_GetSocketsOfTheirOwn(CancellationToken cancellationToken)
    {
        using var pool = new NetlinkSocketPool(Open, maxSockets: 4);

        using var a = await pool.RentAsync(cancellationToken);
        using var b = await pool.RentAsync(cancellationToken);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(a.Socket, Is.Not.SameAs(b.Socket));
            Assert.That(_opened, Is.EqualTo(2));
        }
    }

    [Test]
    public async Task RentAsync_AllLeased_WaitsForAReturn(CancellationToken cancellationToken)
    {
        using var pool = new NetlinkSocketPool(Open, maxSockets: 1);
        var first = await pool.RentAsync(cancellationToken);

        var second = pool.RentAsync(cancellationToken).AsTask();
        var waitedBeforeReturn = !second.IsCompleted;
        first.Dispose();
        using var lease = await second;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(waitedBeforeReturn, Is.True);
            Assert.That(lease.Socket, Is.SameAs(first.Socket));
        }
    }

    [Test]
    public async Task RentAsync_CancelledWhileWaiting_ThrowsAndKeepsTheSlot(CancellationToken cancellationToken)
    {
        using var pool = new NetlinkSocketPool(Open, maxSockets: 1);
        var first = await pool.RentAsync(cancellationToken);
        using var cancel = new CancellationTokenSource();

        var waiting = pool.RentAsync(cancel.Token).AsTask();
        await cancel.CancelAsync();

        Assert.That(() => waiting, Throws.InstanceOf<OperationCanceledException>());
        first.Dispose();
        using var lease = await pool.RentAsync(cancellationToken);
        Assert.That(lease.Socket, Is.SameAs(first.Socket));
    }

    [Test]
    public async Task RentAsync_OpenFails_GivesTheSlotBack(CancellationToken cancellationToken)
    {
        var failures = 1;
        using var pool = new NetlinkSocketPool(
            () => failures-- > 0 ? throw new NetlinkException("socket(AF_NETLINK)", 24, null, fromKernel: false) : Open(),
            maxSockets: 1);

        Assert.That(async () => await pool.RentAsync(cancellationToken), Throws.TypeOf<NetlinkException>());
        using var lease = await pool.RentAsync(cancellationToken);

        Assert.That(_opened, Is.EqualTo(1));
    }

    [Test]
    public async Task Dispose_WithALeaseOut_ClosesThatSocketWhenItComesBack(CancellationToken cancellationToken)
    {
        var pool = new NetlinkSocketPool(Open, maxSockets: 2);
        var lease = await pool.RentAsync(cancellationToken);

        pool.Dispose();
        lease.Dispose();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(
                () => lease.Socket.Request(new NetlinkMessageBuilder(MessageType.GetLink, 0).IfInfo().Attribute(Ifla.IfName, "lo")),
                Throws.TypeOf<ObjectDisposedException>());
            Assert.That(async () => await pool.RentAsync(cancellationToken), Throws.TypeOf<ObjectDisposedException>());
        }
    }

    [Test]
    public void Constructor_NoSockets_Throws() =>
        Assert.That(() => new NetlinkSocketPool(Open, maxSockets: 0), Throws.TypeOf<ArgumentOutOfRangeException>());

    private NetlinkSocket Open()
    {
        Interlocked.Increment(ref _opened);
        return NetlinkSocket.Open();
    }
}
