using System.Reflection;
using CiliumDocker.Hosting;
using Microsoft.Extensions.Logging;
using NUnit.Framework;

namespace CiliumDocker.Tests;

/// <summary>Every log message of the plugin has its own EventId, so an operator can filter on one.</summary>
internal sealed class LogMessageTests
{
    private static IReadOnlyList<(string Method, LoggerMessageAttribute Message)> Messages() =>
        [.. typeof(PluginHost).Assembly.GetTypes()
            .SelectMany(type => type.GetMethods(BindingFlags.Static | BindingFlags.NonPublic | BindingFlags.Public | BindingFlags.DeclaredOnly))
            .Select(method => (Method: $"{method.DeclaringType!.Name}.{method.Name}", Message: method.GetCustomAttribute<LoggerMessageAttribute>()))
            .Where(pair => pair.Message is not null)
            .Select(pair => (pair.Method, pair.Message!))];

    [Test]
    public void EveryMessage_HasAnEventId()
    {
        var messages = Messages();

        Assert.Multiple(() =>
        {
            Assert.That(messages, Has.Count.GreaterThan(40), "the scan found the plugin's messages");
            Assert.That(messages.Where(message => message.Message.EventId == 0).Select(message => message.Method), Is.Empty);
        });
    }

    [Test]
    public void EventIds_AreUnique()
    {
        var shared = Messages()
            .GroupBy(message => message.Message.EventId)
            .Where(group => group.Count() > 1)
            .Select(group => $"{group.Key}: {string.Join(", ", group.Select(message => message.Method))}");

        Assert.That(shared, Is.Empty);
    }

    [Test]
    public void EveryMessage_IsAMethodNamedLogSomething()
    {
        Assert.That(Messages().Select(message => message.Method).Where(method => !method.Split('.')[1].StartsWith("Log", StringComparison.Ordinal)), Is.Empty);
    }
}
