using Orleans.Configuration;

namespace Granary.Silo;

/// <summary>
/// When idle grains are deactivated (Orleans' GrainCollectionOptions, section "GrainCollection"). Orleans keeps an idle
/// activation 15 minutes. Grains of deleted objects deactivate at once (ResourceGrain), and event grains after each
/// write (EventGrain); an event grain activated otherwise (a read) goes after one idle minute, since events are many
/// and rarely touched twice. Other grains keep Orleans' default: their number is that of live objects. The collector runs every
/// <see cref="GrainCollectionOptions.CollectionQuantum"/> (30 s here, Orleans: 1 min), so an idle activation lives at
/// most its age plus one quantum.
/// </summary>
internal static class GrainCollection
{
    public static readonly TimeSpan EventGrainAge = TimeSpan.FromMinutes(1);

    public static void Configure(ISiloBuilder silo, IConfiguration configuration)
    {
        silo.Configure<GrainCollectionOptions>(o =>
        {
            o.CollectionQuantum = TimeSpan.FromSeconds(30);
            o.ClassSpecificCollectionAge[typeof(Granary.Grains.Resources.EventGrain).FullName!] = EventGrainAge;
        });
        silo.Services.Configure<GrainCollectionOptions>(configuration.GetSection("GrainCollection"));
    }
}
