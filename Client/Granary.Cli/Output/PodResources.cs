using System.Globalization;
using Granary.Model;

namespace Granary.Cli.Output;

/// <summary>CPU and memory a pod asks for, summed over its containers, and their display as kubectl shows them.</summary>
internal static class PodResources
{
    /// <param name="MemoryBinary">Whether memory was written in binary units (Mi, Gi), so the sum prints the same way.</param>
    internal readonly record struct Amounts(long CpuMilli, long MemoryBytes, bool MemoryBinary);

    private static readonly (string Suffix, long Factor)[] BinaryUnits = [("Ei", 1L << 60), ("Pi", 1L << 50), ("Ti", 1L << 40), ("Gi", 1L << 30), ("Mi", 1L << 20), ("Ki", 1L << 10)];
    private static readonly (string Suffix, long Factor)[] DecimalUnits = [("E", 1_000_000_000_000_000_000), ("P", 1_000_000_000_000_000), ("T", 1_000_000_000_000), ("G", 1_000_000_000), ("M", 1_000_000), ("k", 1_000)];

    /// <summary>
    /// Requests and limits summed over the containers. A container with a limit but no request requests its limit,
    /// as the API server defaults it.
    /// </summary>
    public static (Amounts Requests, Amounts Limits) RequestsAndLimits(Pod pod)
    {
        long cpuRequest = 0, memoryRequest = 0, cpuLimit = 0, memoryLimit = 0;
        var binaryRequest = true;
        var binaryLimit = true;
        foreach (var c in pod.Spec.Containers ?? [])
        {
            var requests = c.Resources?.Requests;
            var limits = c.Resources?.Limits;
            if ((Get(requests, "cpu") ?? Get(limits, "cpu")) is { } cr)
                cpuRequest += cr.MilliValue;
            if (Get(limits, "cpu") is { } cl)
                cpuLimit += cl.MilliValue;
            if ((Get(requests, "memory") ?? Get(limits, "memory")) is { } mr)
            {
                memoryRequest += mr.Value;
                binaryRequest &= IsBinary(mr);
            }
            if (Get(limits, "memory") is { } ml)
            {
                memoryLimit += ml.Value;
                binaryLimit &= IsBinary(ml);
            }
        }
        return (new Amounts(cpuRequest, memoryRequest, binaryRequest), new Amounts(cpuLimit, memoryLimit, binaryLimit));
    }

    public static Amounts Sum(IEnumerable<Amounts> amounts)
    {
        var list = amounts.ToList();
        return new Amounts(list.Sum(a => a.CpuMilli), list.Sum(a => a.MemoryBytes), list.All(a => a.MemoryBinary));
    }

    /// <summary><c>250m (12%)</c>: the amount and its share of what the node can allocate, truncated as kubectl does.</summary>
    public static string Cpu(long milli, long allocatableMilli) =>
        $"{Quantity.FromMilli(milli)} ({Percent(milli, allocatableMilli)}%)";

    public static string Memory(long bytes, bool binary, long allocatableBytes) =>
        $"{Bytes(bytes, binary)} ({Percent(bytes, allocatableBytes)}%)";

    /// <summary>Bytes in the largest unit that divides them exactly: 128Mi, or 500M for decimal input.</summary>
    internal static string Bytes(long bytes, bool binary)
    {
        if (bytes != 0)
        {
            foreach (var (suffix, factor) in binary ? BinaryUnits : DecimalUnits)
            {
                if (bytes % factor == 0)
                    return string.Create(CultureInfo.InvariantCulture, $"{bytes / factor}{suffix}");
            }
        }
        return bytes.ToString(CultureInfo.InvariantCulture);
    }

    private static long Percent(long amount, long of) => of == 0 ? 0 : (long)((double)amount / of * 100);

    private static Quantity? Get(IReadOnlyDictionary<string, Quantity>? resources, string name) =>
        resources is not null && resources.TryGetValue(name, out var q) ? q : null;

    private static bool IsBinary(Quantity q) => q.Text.EndsWith('i') || q.Text.All(char.IsAsciiDigit);
}
