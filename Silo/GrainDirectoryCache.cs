using Orleans.Configuration;

namespace Granary.Silo;

/// <summary>
/// The size of Orleans' grain directory cache (GrainDirectoryOptions, section "GrainDirectory"). Every activation
/// registered on a silo leaves an entry in that silo's cache, and the batched unregistration of a deactivated grain does
/// not remove it: Granary makes a grain per object and per event, so under churn (pods created and deleted, events
/// written once) the cache fills with addresses of grains that are gone. Orleans' default caps it at 1,000,000 entries
/// and expires an idle entry only after minutes, which the soak run measured as the one structure still growing: about
/// 370 bytes per entry, +34 MB of live heap over minutes 3–9 at ~270 new grains/s. A smaller cap bounds it whatever the
/// rate; past the cap the least recently used entries go, and a call to a grain no longer cached costs one directory
/// lookup (local on a single silo, one hop in a cluster).
/// </summary>
internal static class GrainDirectoryCache
{
    /// <summary>
    /// Entries kept per silo: the live objects of a mid-size cluster (thousands of pods and their services, nodes and
    /// controllers) fit, and the cache costs at most ~4 MB. Orleans' own default is 1,000,000.
    /// </summary>
    public const int DefaultCacheSize = 10_000;

    public static void Configure(ISiloBuilder silo, IConfiguration configuration)
    {
        silo.Configure<GrainDirectoryOptions>(o => o.CacheSize = DefaultCacheSize);
        silo.Services.Configure<GrainDirectoryOptions>(configuration.GetSection("GrainDirectory"));
        silo.Services.AddSingleton<GrainDirectoryCacheSize>();
    }
}
