using System.Globalization;

namespace EndToEnd.Tests.Soak;

/// <summary>
/// How long and with which faults the soak runs: <c>SOAK_SECONDS</c> (default 60, the CI run; 1800 by hand) and
/// <c>SOAK_SEED</c> (default: a fresh seed, printed, so that a failing run can be replayed).
/// </summary>
internal sealed record SoakSettings(TimeSpan Duration, int Seed)
{
    public const int DefaultSeconds = 60;

    public static SoakSettings FromEnvironment() =>
        new(TimeSpan.FromSeconds(Read("SOAK_SECONDS", DefaultSeconds)), Read("SOAK_SEED", Random.Shared.Next()));

    private static int Read(string variable, int fallback)
    {
        var text = Environment.GetEnvironmentVariable(variable);
        if (string.IsNullOrWhiteSpace(text))
        {
            return fallback;
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0
            ? value
            : throw new ArgumentException($"{variable} must be a positive whole number, got '{text}'");
    }
}
