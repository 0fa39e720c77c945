using System.Globalization;

namespace CiliumDocker.Bench.Datapath;

internal sealed record BenchOptions(int Pairs, int Rounds, bool Inside)
{
    public static BenchOptions? Parse(string[] args)
    {
        int pairs = 200, rounds = 3;
        var inside = false;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--inside":
                    inside = true;
                    break;
                case "--pairs" when i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out pairs) && pairs > 0:
                case "--rounds" when i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out rounds) && rounds > 0:
                    i++;
                    break;
                default:
                    return null;
            }
        }

        return new BenchOptions(pairs, rounds, inside);
    }
}
