using CiliumDocker.Labels;
using NUnit.Framework;

namespace CiliumDocker.Tests.Labels;

[TestFixture]
internal sealed class ContainerLabelsTests
{
    [Test]
    public void From_ImageAndContainerLabels_ContainerWinsAndResultIsSortedByKey()
    {
        var image = new Dictionary<string, string?> { ["maintainer"] = "ops", ["id"] = "from-image", ["tier"] = "web" };
        var container = new Dictionary<string, string?> { ["id"] = "app1", ["b.key"] = "2" };

        var labels = ContainerLabels.From(image, container);

        Assert.That(labels, Is.EqualTo(new[]
        {
            "container:b.key=2",
            "container:id=app1",
            "container:maintainer=ops",
            "container:tier=web",
        }));
    }

    [Test]
    public void From_EmptyOrNullValue_GivesKeyOnly()
    {
        var labels = ContainerLabels.From(null, new Dictionary<string, string?> { ["flag"] = string.Empty, ["other"] = null });

        Assert.That(labels, Is.EqualTo(new[] { "container:flag", "container:other" }));
    }

    [Test]
    public void From_ValueContainingEquals_KeepsWholeValue()
    {
        var labels = ContainerLabels.From(new Dictionary<string, string?> { ["expr"] = "a=b" }, null);

        Assert.That(labels, Is.EqualTo(new[] { "container:expr=a=b" }));
    }

    [Test]
    public void From_NoLabels_GivesEmptyList()
    {
        Assert.That(ContainerLabels.From(null, null), Is.Empty);
    }

    [Test]
    public void From_KeysDifferingOnlyByCase_AreDistinct()
    {
        var labels = ContainerLabels.From(new Dictionary<string, string?> { ["App"] = "x" }, new Dictionary<string, string?> { ["app"] = "y" });

        Assert.That(labels, Is.EqualTo(new[] { "container:App=x", "container:app=y" }));
    }
}
