using System.Runtime.InteropServices;

namespace Granary.Silo;

/// <summary>
/// The number of glibc malloc arenas, "Memory:MallocArenas" (default 2; 0 leaves glibc's own limit). Native memory
/// of the silo (OpenSSL for every TLS handshake of the API, the runtime, Kestrel) is allocated by whichever thread runs,
/// and glibc gives threads that contend their own arena, up to 8 per core; each arena keeps its freed memory and
/// fragments on its own. The soak run measured those arenas as the native part that still grew after minute 5 (about
/// 20 MiB at the start and +0.8 to +1.1 MiB/min on 2 cores), and with two arenas none of it: the main heap stayed at
/// 18–19 MiB. The cost is more contention on malloc between threads, which the soak's request rate did not show. This is
/// the in-process form of MALLOC_ARENA_MAX (which an operator may still set in the environment; the smaller wins only
/// for arenas not created yet, so it is applied first thing at start).
/// </summary>
internal static partial class MallocArenas
{
    public const int DefaultMax = 2;

    private const int ArenaMaxParameter = -8; // M_ARENA_MAX in glibc's malloc.h

    /// <summary>Applies the configured limit (where there is glibc); the error to show when the setting is wrong, else null.</summary>
    public static string? Limit(IConfiguration configuration)
    {
        var max = configuration.GetValue("Memory:MallocArenas", DefaultMax);
        if (max < 0)
            return $"Memory:MallocArenas must be 0 (glibc's own limit) or a positive number of arenas, not {max}";
        if (max == 0 || !OperatingSystem.IsLinux())
            return null;
        try
        {
            _ = Mallopt(ArenaMaxParameter, max); // 0 only for a parameter glibc does not know; it has known this one since 2.10
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            // musl and others: no mallopt, and no per-thread arenas to limit either.
        }
        return null;
    }

    [LibraryImport("libc", EntryPoint = "mallopt")]
    private static partial int Mallopt(int parameter, int value);
}
