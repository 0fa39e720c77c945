using CiliumDocker.Datapath.Netlink;
using NUnit.Framework;

namespace CiliumDocker.Tests.Datapath.Netlink;

[TestFixture]
internal sealed class ErrnoTests
{
    [TestCase(1, "EPERM")]
    [TestCase(17, "EEXIST")]
    [TestCase(19, "ENODEV")]
    [TestCase(22, "EINVAL")]
    [TestCase(95, "EOPNOTSUPP")]
    [TestCase(4242, "errno 4242")]
    public void Name_Number_IsTheSymbol(int errno, string name) =>
        Assert.That(Errno.Name(errno), Is.EqualTo(name));

    [Test]
    public void Describe_Eexist_IsTheCLibraryText() =>
        Assert.That(Errno.Describe(Errno.EEXIST), Is.EqualTo("File exists"));

    [Test]
    public void NetlinkException_WithKernelMessage_SaysOperationTextSymbolAndKernelSentence()
    {
        var error = new NetlinkException("RTM_SETLINK", Errno.EINVAL, "too big gso_max_size", fromKernel: true);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(error.Message, Is.EqualTo("RTM_SETLINK: Invalid argument (EINVAL): too big gso_max_size"));
            Assert.That(error.Reason, Is.EqualTo("Invalid argument (EINVAL): too big gso_max_size"));
            Assert.That(error.ErrnoName, Is.EqualTo("EINVAL"));
        }
    }

    [Test]
    public void NetlinkException_WithoutKernelMessage_EndsWithTheSymbol() =>
        Assert.That(
            new NetlinkException("RTM_NEWLINK", Errno.EPERM, null, fromKernel: true).Message,
            Is.EqualTo("RTM_NEWLINK: Operation not permitted (EPERM)"));
}
