using Granary.Api;
using Granary.Model;

namespace Granary.Grains.Workloads;

/// <summary>
/// The one map from a pod's controller reference to the grain that controls it, so <c>PodGrain</c> can tell the
/// controller of every change. A new pod controller adds its kind here (its grain interface extends
/// <see cref="IPodControllerGrain"/>).
/// </summary>
public static class PodControllers
{
    /// <summary>The grain of the controller <paramref name="owner"/> names in <paramref name="namespace"/>, or null when its kind controls no pods here.</summary>
    public static IPodControllerGrain? Grain(IGrainFactory grains, string @namespace, OwnerReference owner)
    {
        var key = $"{@namespace}/{owner.Name}";
        return owner.Kind switch
        {
            "ReplicaSet" => grains.GetGrain<IReplicaSetGrain>(key),
            "Job" => grains.GetGrain<IJobGrain>(key),
            "DaemonSet" => grains.GetGrain<IDaemonSetGrain>(key),
            "StatefulSet" => grains.GetGrain<IStatefulSetGrain>(key),
            _ => null,
        };
    }
}
