using System.Collections.Immutable;
using Granary.Api;
using Granary.Errors;
using Granary.Grains.Services;
using Granary.Model;

namespace Granary.Grains.Hosting;

/// <summary>
/// The <c>kubernetes</c> service in <c>default</c>, as kube-apiserver keeps it: the first address of the service
/// CIDR, port 443 (https) to the API's port, and Endpoints naming the API's address. Safe on every silo at once:
/// the service is created once; each silo adds its own API address to the Endpoints.
/// </summary>
public static class KubernetesService
{
    public const string Name = "kubernetes";
    public const string Namespace = "default";
    private const int ConflictRetries = 5;

    public static async Task EnsureAsync(IGrainFactory grains, string clusterIP, string apiAddress, int apiPort)
    {
        var key = $"{Namespace}/{Name}";
        try
        {
            await grains.GetGrain<IServiceGrain>(key).CreateAsync(new Service
            {
                Metadata = new ObjectMeta
                {
                    Name = Name,
                    Namespace = Namespace,
                    Labels = new Dictionary<string, string> { ["component"] = "apiserver", ["provider"] = "kubernetes" }.ToImmutableSortedDictionary(),
                },
                Spec = new ServiceSpec
                {
                    Type = ServiceTypes.ClusterIP,
                    ClusterIP = clusterIP,
                    Ports = [new ServicePort { Name = "https", Protocol = "TCP", Port = 443, TargetPort = apiPort }],
                },
            });
        }
        catch (AlreadyExistsException)
        {
            // Created before (or by another silo just now).
        }

        for (var attempt = 0; ; attempt++)
        {
            try
            {
                var endpoints = await AddAddressAsync(grains.GetGrain<IEndpointsGrain>(key), apiAddress, apiPort);
                await grains.GetGrain<IEndpointSliceGrain>(key).ApplyAsync(SliceOf(endpoints));
                return;
            }
            catch (GranaryException e) when (e is ConflictException or AlreadyExistsException && attempt < ConflictRetries)
            {
                // Another silo wrote meanwhile: read again.
            }
        }
    }

    /// <summary>The slice kube-apiserver keeps beside the Endpoints, named like the service: kubectl describe reads it.</summary>
    private static EndpointSlice SliceOf(Endpoints endpoints) => new()
    {
        Metadata = new ObjectMeta
        {
            Name = Name,
            Namespace = Namespace,
            Labels = ImmutableSortedDictionary<string, string>.Empty.Add(EndpointSlice.ServiceNameLabel, Name),
        },
        Endpoints = [.. (endpoints.Subsets ?? []).SelectMany(s => s.Addresses ?? []).Select(a => new SliceEndpoint
        {
            Addresses = [a.Ip],
            Conditions = new EndpointConditions { Ready = true },
        })],
        Ports = [.. (endpoints.Subsets ?? []).SelectMany(s => s.Ports ?? []).Take(1).Select(p => new SlicePort { Name = p.Name, Port = p.Port, Protocol = p.Protocol })],
    };

    private static bool IsSkipMirrored(Endpoints endpoints) =>
        endpoints.Metadata.Labels?.GetValueOrDefault(EndpointSliceMirrorPlanner.SkipMirrorLabel) == "true";

    private static async Task<Endpoints> AddAddressAsync(IEndpointsGrain grain, string apiAddress, int apiPort)
    {
        Endpoints? current;
        try
        {
            current = await grain.GetAsync();
        }
        catch (NotFoundException)
        {
            current = null;
        }
        var port = new EndpointPort { Name = "https", Port = apiPort, Protocol = "TCP" };
        var subset = current?.Subsets?.FirstOrDefault(s => s.Ports is [{ } p] && p == port);
        if (current is not null && subset?.Addresses?.Any(a => a.Ip == apiAddress) == true && IsSkipMirrored(current))
            return current;
        var others = current?.Subsets?.Where(s => s != subset).ToImmutableList() ?? [];
        var addresses = (subset?.Addresses ?? []).Add(new EndpointAddress { Ip = apiAddress });
        var metadata = current?.Metadata ?? new ObjectMeta { Name = Name, Namespace = Namespace };
        var desired = new Endpoints
        {
            // Silos keep the slice themselves (SliceOf), so the mirroring controller leaves these Endpoints alone, as
            // kube-apiserver's endpoint reconciler labels its own.
            Metadata = metadata with
            {
                Labels = (metadata.Labels ?? ImmutableSortedDictionary<string, string>.Empty).SetItem(EndpointSliceMirrorPlanner.SkipMirrorLabel, "true"),
            },
            Subsets = others.Add(new EndpointSubset { Addresses = addresses, Ports = [port] }),
        };
        return current is null ? await grain.CreateAsync(desired) : await grain.UpdateAsync(desired);
    }
}
