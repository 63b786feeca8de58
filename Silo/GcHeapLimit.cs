using System.Globalization;

namespace Granary.Silo;

/// <summary>
/// A ceiling on the managed heap, "Memory:GcHeapLimit" in bytes (default 0: the runtime's own, which is none, or 75 %
/// of a cgroup's memory limit such as the unit's MemoryMax=). Server GC with DATAS sizes its allocation budget and the
/// free regions it keeps by the request rate and the peaks it has seen, not by what is live: in the soak the live heap
/// stops growing within minutes while the committed memory creeps on for ten more, and it ends wherever the busiest
/// minute left it. A ceiling makes that a figure the operator chose: near it the GC counts its memory load against the
/// ceiling and collects and compacts harder. Past it an allocation fails (OutOfMemoryException) and the silo exits for
/// its supervisor to restart, so the ceiling must stay well above the live heap, which grows with the cluster's objects
/// (dotnet_gc_live_after_full_bytes on /metrics, beside dotnet_gc_heap_limit_bytes); that is why there is no default.
/// Applied in-process at start (GC.RefreshMemoryLimit), so it works from the silo's configuration however it is run;
/// but the GC keeps the allocation budgets it sized at start, so a ceiling close to the live heap is paid for in full
/// collections (the soak measured 23 a minute instead of 2.6 at 256 MiB with ~120 MiB live). DOTNET_GCHeapHardLimit in
/// the environment is read before the heap exists and sizes the budgets from the limit too: the form for a tight
/// ceiling. A limit the runtime already has (that variable, DOTNET_GCHeapHardLimitPercent, a cgroup's) is replaced
/// only when this setting is given.
/// </summary>
internal static class GcHeapLimit
{
    public const string Setting = "Memory:GcHeapLimit";
    public const long MinimumBytes = 128L * 1024 * 1024;

    /// <summary>Applies the configured ceiling, if any; the error to show when the setting is wrong, else null.</summary>
    public static string? Apply(IConfiguration configuration)
    {
        if (configuration[Setting] is not { } text)
            return null;
        if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var limit) || (limit != 0 && limit < MinimumBytes))
            return $"{Setting} must be 0 (the runtime's own limit) or a number of bytes of at least {MinimumBytes} ({MinimumBytes / 1048576} MiB), not \"{text}\"";
        if (limit == 0)
            return null;
        AppContext.SetData("GCHeapHardLimit", (ulong)limit);
        try
        {
            GC.RefreshMemoryLimit();
        }
        catch (InvalidOperationException e)
        {
            return $"{Setting}={limit} could not be applied ({e.Message}); raise it, or set it to 0";
        }
        return null;
    }

    /// <summary>The hard limit the runtime started with (environment, runtimeconfig or cgroup), 0 for none.</summary>
    public static long RuntimeLimit() =>
        GC.GetConfigurationVariables().TryGetValue("GCHeapHardLimit", out var value) && value is long bytes ? bytes : 0;
}
