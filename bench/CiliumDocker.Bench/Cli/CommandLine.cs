using System.Globalization;

namespace CiliumDocker.Bench.Cli;

/// <summary><c>SUBCOMMAND [--name value | --flag]...</c>; every option must be one the subcommand knows.</summary>
internal sealed class CommandLine
{
    private readonly Dictionary<string, string?> _options;

    private CommandLine(string command, Dictionary<string, string?> options)
    {
        Command = command;
        _options = options;
    }

    public string Command { get; }

    public static CommandLine Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args.Count == 0 || args[0].StartsWith('-'))
        {
            throw new UsageException("a subcommand is needed first");
        }

        var options = new Dictionary<string, string?>(StringComparer.Ordinal);
        for (var i = 1; i < args.Count; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal) || arg.Length == 2)
            {
                throw new UsageException($"'{arg}' is not an option (options look like --name value)");
            }

            var name = arg[2..];
            string? value = null;
            var equals = name.IndexOf('=', StringComparison.Ordinal);
            if (equals >= 0)
            {
                value = name[(equals + 1)..];
                name = name[..equals];
            }
            else if (i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal))
            {
                value = args[++i];
            }

            if (!options.TryAdd(name, value))
            {
                throw new UsageException($"--{name} is given twice");
            }
        }

        return new CommandLine(args[0], options);
    }

    /// <summary>Rejects options the subcommand does not know, so that a typo never silently runs the default.</summary>
    public void Allow(params string[] known)
    {
        foreach (var name in _options.Keys)
        {
            if (!known.Contains(name, StringComparer.Ordinal))
            {
                throw new UsageException($"{Command} has no option --{name} (it takes: {string.Join(", ", known.Select(k => "--" + k))})");
            }
        }
    }

    public int PositiveInt(string name, int fallback)
    {
        if (!_options.TryGetValue(name, out var text))
        {
            return fallback;
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0
            ? value
            : throw new UsageException($"--{name} needs a positive whole number, got '{text}'");
    }

    /// <summary>A value out of a fixed set, e.g. <c>--plugin ours|original</c>.</summary>
    public string Choice(string name, string fallback, IReadOnlyList<string> allowed)
    {
        ArgumentNullException.ThrowIfNull(allowed);
        if (!_options.TryGetValue(name, out var text))
        {
            return fallback;
        }

        return text is not null && allowed.Contains(text, StringComparer.Ordinal)
            ? text
            : throw new UsageException($"--{name} takes one of {string.Join(", ", allowed)}, got '{text}'");
    }

    public bool Has(string name) => _options.ContainsKey(name);

    public bool Flag(string name)
    {
        if (!_options.TryGetValue(name, out var text))
        {
            return false;
        }

        return text is null ? true : throw new UsageException($"--{name} is a switch and takes no value, got '{text}'");
    }
}

internal sealed class UsageException : Exception
{
    public UsageException(string message)
        : base(message)
    {
    }
}
