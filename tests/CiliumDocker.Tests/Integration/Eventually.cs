namespace CiliumDocker.Tests.Integration;

internal static class Eventually
{
    /// <summary>Polls until <paramref name="condition"/> holds; the test's hang guard bounds the wait.</summary>
    public static async Task HoldsAsync(Func<bool> condition, CancellationToken cancellationToken)
    {
        while (!condition())
        {
            await Task.Delay(50, cancellationToken);
        }
    }

    public static async Task<T> ReturnsAsync<T>(Func<Task<T>> probe, Func<T, bool> accept, CancellationToken cancellationToken)
    {
        while (true)
        {
            var value = await probe();
            if (accept(value))
            {
                return value;
            }

            await Task.Delay(50, cancellationToken);
        }
    }
}
