using NUnit.Framework;

namespace CiliumDocker.Tests.Labels;

/// <summary>Waits for a condition the code under test reaches asynchronously; the test's CancelAfter is the hang guard.</summary>
internal static class Eventually
{
    public static async Task WaitUntilAsync(Func<bool> condition, string what, CancellationToken cancellationToken)
    {
        while (!condition())
        {
            try
            {
                await Task.Delay(10, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail("Gave up waiting until " + what);
            }
        }
    }
}
