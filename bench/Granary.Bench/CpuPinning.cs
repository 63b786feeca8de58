namespace Granary.Bench;

/// <summary>
/// Which cores each silo may run on and which the rest (Redis, the hollow nodes) may: Linux cpu lists as taskset takes
/// them ("0", "1-3", "0,2"). A process is started under <c>taskset -c LIST</c>, so every thread it ever makes inherits
/// the mask (sched_setaffinity on a running .NET process would reach only its main thread), and .NET sizes its thread
/// pool and GC heaps by the cores it may use. Comparing 1 silo with N on the same cores shows what a silo more costs;
/// the same per-pod work on every core count is what lets more silos on more cores add capacity.
/// </summary>
internal sealed record CpuPinning(IReadOnlyList<string> Silos, string Rest)
{
    public const string TasksetPath = "/usr/bin/taskset";

    /// <summary>
    /// --pin: silo i on core i while at least one core is left for the rest; when the cores run out the silos share
    /// the first cores round robin, so the rest always keeps a core of its own.
    /// </summary>
    public static CpuPinning Spread(int silos, int cores)
    {
        if (cores < 2)
            throw new UsageException($"--pin needs at least 2 cores (one for the silos, one for Redis and the hollow nodes); this machine has {cores}");
        var siloCores = Math.Min(silos, cores - 1);
        var rest = siloCores == cores - 1 ? $"{cores - 1}" : $"{siloCores}-{cores - 1}";
        return new CpuPinning([.. Enumerable.Range(0, silos).Select(i => $"{i % siloCores}")], rest);
    }

    /// <summary>
    /// --cpus "S1/S2/…/REST": one cpu list per silo, then the rest's, separated by '/'; e.g. "0/1" (one silo on core 0,
    /// the rest on core 1) against "0/0/1" (two silos sharing core 0).
    /// </summary>
    public static CpuPinning Parse(string spec, int silos, int cores)
    {
        var parts = spec.Split('/');
        if (parts.Length != silos + 1)
            throw new UsageException($"--cpus \"{spec}\" has {parts.Length} part(s); with --silos {silos} it needs {silos + 1}: one cpu list per silo, then one for Redis and the hollow nodes, separated by '/' (e.g. \"0/1\")");
        foreach (var part in parts)
            CheckList(part, cores, spec);
        return new CpuPinning(parts[..^1], parts[^1]);
    }

    /// <summary>
    /// The machine's cores, from /sys (e.g. "0-7"): not <see cref="Environment.ProcessorCount"/>, which counts only the
    /// cores this process may use, and the benchmark itself may run under taskset.
    /// </summary>
    public static int MachineCores()
    {
        try
        {
            var online = File.ReadAllText("/sys/devices/system/cpu/online").Trim();
            return online.Split(',').Select(r => r.Split('-')).Max(b => int.Parse(b[^1], System.Globalization.CultureInfo.InvariantCulture)) + 1;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return Environment.ProcessorCount;
        }
    }

    /// <summary>The command that starts <paramref name="fileName"/> on <paramref name="cpus"/>, or unchanged when not pinned.</summary>
    public static (string FileName, IReadOnlyList<string> Arguments) Wrap(string? cpus, string fileName, IReadOnlyList<string> arguments) =>
        cpus is null ? (fileName, arguments) : (TasksetPath, ["-c", cpus, fileName, .. arguments]);

    public string Describe() =>
        string.Join(", ", Silos.Select((cpus, i) => $"silo {i} on cpu {cpus}")) + $", Redis and hollow nodes on cpu {Rest}";

    private static void CheckList(string list, int cores, string spec)
    {
        if (list.Length == 0)
            throw new UsageException($"--cpus \"{spec}\" has an empty cpu list: give each part as taskset does, e.g. \"0\", \"1-3\" or \"0,2\"");
        foreach (var range in list.Split(','))
        {
            var bounds = range.Split('-');
            if (bounds.Length > 2 || !bounds.All(b => int.TryParse(b, out _)))
                throw new UsageException($"--cpus \"{spec}\": \"{range}\" is not a core number or range (e.g. \"0\" or \"1-3\")");
            var numbers = bounds.Select(int.Parse).ToArray();
            if (numbers.Any(n => n < 0 || n >= cores) || numbers[0] > numbers[^1])
                throw new UsageException($"--cpus \"{spec}\": \"{range}\" is not within this machine's cores 0-{cores - 1}");
        }
    }
}
