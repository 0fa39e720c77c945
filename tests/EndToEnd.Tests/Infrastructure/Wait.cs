namespace EndToEnd.Tests.Infrastructure;

internal static class Wait
{
    /// <summary>Polls until <paramref name="condition"/> holds; a hang guard, not a performance assertion.</summary>
    public static bool Until(Func<bool> condition, TimeSpan timeout, TimeSpan? interval = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (condition())
            {
                return true;
            }

            if (DateTime.UtcNow >= deadline)
            {
                return false;
            }

            Thread.Sleep(interval ?? TimeSpan.FromMilliseconds(200));
        }
    }
}
