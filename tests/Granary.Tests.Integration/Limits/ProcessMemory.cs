using System.Globalization;

namespace Granary.Tests.Integration.Limits;

/// <summary>A process's resident memory, from /proc (Linux, where the tests run).</summary>
internal static class ProcessMemory
{
    public static long RssBytes(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        var kilobytes = long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
        return kilobytes * 1024;
    }
}
