using Granary.Api;
using Granary.Client;
using Granary.Errors;
using Granary.Grains.Services;
using Granary.Model;
using Orleans.Core.Internal;

namespace Granary.Tests.Unit.Grains;

public sealed class ServiceGrainTests(ClusterFixture fixture) : IClassFixture<ClusterFixture>
{
    private GranaryClient Client => fixture.Client;

    private IServiceAddressAllocatorGrain Allocator => fixture.Grains.GetGrain<IServiceAddressAllocatorGrain>(IServiceAddressAllocatorGrain.Key);

    private static Service Service(string name, string? app = null, string? clusterIP = null, string type = "ClusterIP", int? nodePort = null) => new()
    {
        Metadata = new ObjectMeta { Name = name, Namespace = "default" },
        Spec = new ServiceSpec
        {
            Type = type,
            ClusterIP = clusterIP,
            Selector = app is null ? null : Objects.Labels(("app", app)),
            Ports = [new ServicePort { Port = 80, TargetPort = 8080, NodePort = nodePort }],
        },
    };

    /// <summary>A free address of the service CIDR for this test (tests share one allocator).</summary>
    private static string UniqueIP() => $"10.43.200.{Interlocked.Increment(ref _nextIP)}";

    private static int _nextIP = 10;

    [Fact]
    public async Task Create_AllocatesAClusterIPFromTheServiceCidr_NeverTheFirst()
    {
        var name = Unique.Name("alloc");

        var service = await Client.Services.CreateAsync(Service(name));

        var ip = service.Spec.ClusterIP!;
        Assert.StartsWith("10.43.", ip);
        Assert.NotEqual("10.43.0.1", ip);
        Assert.Equal([ip], service.Spec.ClusterIPs!);
        Assert.Equal(ip, (await Allocator.GetHoldingsAsync($"default/{name}"))!.ClusterIP);
        Assert.NotNull(service.Status?.LoadBalancer);
    }

    [Fact]
    public async Task Create_WithATakenClusterIP_IsRefusedAsKubeDoes_AndHoldsNothing()
    {
        var ip = UniqueIP();
        await Client.Services.CreateAsync(Service(Unique.Name("first"), clusterIP: ip));
        var second = Unique.Name("second");

        var e = await Assert.ThrowsAsync<InvalidException>(() => Client.Services.CreateAsync(Service(second, clusterIP: ip, type: "NodePort")));

        Assert.Equal($"spec.clusterIPs: Invalid value: []string{{\"{ip}\"}}: failed to allocate IP {ip}: provided IP is already allocated", Assert.Single(e.Causes).ToString());
        Assert.Null(await Allocator.GetHoldingsAsync($"default/{second}"));
        await Assert.ThrowsAsync<NotFoundException>(() => Client.Services.GetAsync("default", second));
    }

    [Fact]
    public async Task Create_RefusedForItsNodePort_DoesNotKeepTheClusterIPItDrew()
    {
        var taken = await Client.Services.CreateAsync(Service(Unique.Name("np"), type: "NodePort"));
        var nodePort = taken.Spec.Ports![0].NodePort!.Value;
        var ip = UniqueIP();

        await Assert.ThrowsAsync<InvalidException>(() => Client.Services.CreateAsync(Service(Unique.Name("np-clash"), clusterIP: ip, type: "NodePort", nodePort: nodePort)));

        Assert.InRange(nodePort, 30000, 32767);
        Assert.Equal(ip, (await Client.Services.CreateAsync(Service(Unique.Name("np-after"), clusterIP: ip))).Spec.ClusterIP);
    }

    [Fact]
    public async Task Delete_ReleasesTheClusterIPAndNodePort_SoARecreateWithThemSucceeds()
    {
        var name = Unique.Name("del");
        var ip = UniqueIP();
        var created = await Client.Services.CreateAsync(Service(name, clusterIP: ip, type: "NodePort"));
        var nodePort = created.Spec.Ports![0].NodePort!.Value;

        await Client.Services.DeleteAsync("default", name);

        Assert.Null(await Allocator.GetHoldingsAsync($"default/{name}"));
        var other = await Client.Services.CreateAsync(Service(Unique.Name("del-other"), clusterIP: ip, type: "NodePort", nodePort: nodePort));
        Assert.Equal((ip, nodePort), (other.Spec.ClusterIP, other.Spec.Ports![0].NodePort!.Value));
    }

    [Fact]
    public async Task Allocations_SurviveTheAllocatorsReactivation()
    {
        var ip = UniqueIP();
        await Client.Services.CreateAsync(Service(Unique.Name("keep"), clusterIP: ip));

        await Allocator.Cast<IGrainManagementExtension>().DeactivateOnIdle();

        var e = await Assert.ThrowsAsync<InvalidException>(() => Client.Services.CreateAsync(Service(Unique.Name("keep-clash"), clusterIP: ip)));
        Assert.Contains("provided IP is already allocated", e.Message);
    }

    [Fact]
    public async Task Update_WithoutClusterIPOrNodePort_KeepsThem_AndAChangedClusterIPIsRefused()
    {
        var name = Unique.Name("upd");
        var created = await Client.Services.CreateAsync(Service(name, type: "NodePort"));

        var applied = await Client.Services.ApplyAsync(Service(name, app: "x", type: "NodePort"));

        Assert.Equal(ApplyOutcome.Configured, applied.Outcome);
        Assert.Equal(created.Spec.ClusterIP, applied.Object.Spec.ClusterIP);
        Assert.Equal(created.Spec.Ports![0].NodePort, applied.Object.Spec.Ports![0].NodePort);
        var e = await Assert.ThrowsAsync<InvalidException>(() => Client.Services.ApplyAsync(Service(name, app: "x", clusterIP: UniqueIP(), type: "NodePort")));
        Assert.Contains("spec.clusterIP: Invalid value", e.Message);
    }

    [Fact]
    public async Task Endpoints_FollowTheReadinessOfMatchingPods()
    {
        var app = Unique.Name("app");
        var name = Unique.Name("svc");
        await Client.Services.CreateAsync(Service(name, app: app));
        var empty = await EndpointsUntil(name, e => e.Subsets is null, "endpoints created empty");
        Assert.Equal(name, empty.Metadata.Name);

        var pod = await Client.Pods.CreateAsync(Objects.Pod("default", Unique.Name("pod"), labels: Objects.Labels(("app", app))));
        var other = await Client.Pods.CreateAsync(Objects.Pod("default", Unique.Name("other"), labels: Objects.Labels(("app", "someone-else"))));
        await SetStatusAsync(other, "127.1.9.9", ready: true);
        await SetStatusAsync(pod, "127.1.9.2", ready: false);
        var notReady = await EndpointsUntil(name, e => e.Subsets?[0].NotReadyAddresses is { Count: 1 }, "the not-ready pod listed apart");
        Assert.Null(notReady.Subsets![0].Addresses);

        await SetStatusAsync(pod, "127.1.9.2", ready: true);
        var ready = await EndpointsUntil(name, e => e.Subsets?[0].Addresses is { Count: 1 }, "the pod ready");
        Assert.Equal(("127.1.9.2", 8080), (ready.Subsets![0].Addresses![0].Ip, ready.Subsets[0].Ports![0].Port));
        var slice = await Eventually.Until(() => SliceOf(name), s => s?.Endpoints is [{ Conditions.Ready: true }], "the slice lists the ready pod");
        Assert.Equal("127.1.9.2", slice!.Endpoints![0].Addresses[0]);

        await Client.Pods.DeleteAsync("default", pod.Metadata.Name!);
        await EndpointsUntil(name, e => e.Subsets is null, "the deleted pod gone from the endpoints");

        await Client.Services.DeleteAsync("default", name);
        await Eventually.Until(() => Exists(name), exists => !exists, $"endpoints default/{name} deleted with the service");
        Assert.Null(await SliceOf(name));
    }

    [Fact]
    public async Task ServiceWithoutSelector_LeavesUserEndpointsAlone()
    {
        var name = Unique.Name("manual");
        var user = new Endpoints
        {
            Metadata = new ObjectMeta { Name = name, Namespace = "default" },
            Subsets = [new EndpointSubset { Addresses = [new EndpointAddress { Ip = "127.0.0.40" }], Ports = [new EndpointPort { Port = 5432 }] }],
        };
        await Client.Endpoints.CreateAsync(user);

        var service = await Client.Services.CreateAsync(Service(name));
        // The resync a reminder runs, called directly so that it has run when the call returns.
        await fixture.Grains.GetGrain<IServiceGrain>($"default/{name}").AsReference<IRemindable>().ReceiveReminder("endpoints-resync", default);

        var kept = await Client.Endpoints.GetAsync("default", name);
        Assert.Equal("127.0.0.40", kept.Subsets![0].Addresses![0].Ip);
        Assert.Equal("TCP", kept.Subsets[0].Ports![0].Protocol);
        Assert.NotNull(service.Spec.ClusterIP);
    }

    [Fact]
    public async Task ServiceWithoutSelector_MirrorsHandWrittenEndpointsIntoSlices_AndLeavesUserSlicesAlone()
    {
        var name = Unique.Name("mirror");
        await Client.Services.CreateAsync(Service(name));
        await Client.Endpoints.CreateAsync(new Endpoints
        {
            Metadata = new ObjectMeta { Name = name, Namespace = "default" },
            Subsets =
            [
                new EndpointSubset
                {
                    Addresses = [new EndpointAddress { Ip = "127.0.0.41", NodeName = "n1" }],
                    NotReadyAddresses = [new EndpointAddress { Ip = "127.0.0.42" }],
                    Ports = [new EndpointPort { Name = "pg", Port = 5432 }],
                },
            ],
        });

        var mirrored = await Eventually.Until(() => SliceOf(name), s => s is not null, "the endpoints mirrored");
        Assert.Equal(EndpointSliceMirrorPlanner.ManagedBy, mirrored!.Metadata.Labels![EndpointSlice.ManagedByLabel]);
        Assert.Equal([("127.0.0.41", true, "n1"), ("127.0.0.42", false, (string?)null)],
            mirrored.Endpoints.Select(e => (e.Addresses[0], e.Conditions!.Ready == true, e.NodeName)).ToArray());
        Assert.Equal(("pg", 5432, "TCP"), (mirrored.Ports![0].Name, mirrored.Ports[0].Port, mirrored.Ports[0].Protocol));

        // A slice the user wrote is the user's: never deleted by the service's controllers.
        var own = $"{name}-own";
        await Client.EndpointSlices.CreateAsync(new EndpointSlice
        {
            Metadata = new ObjectMeta { Name = own, Namespace = "default", Labels = Objects.Labels((EndpointSlice.ServiceNameLabel, name)) },
            Endpoints = [new SliceEndpoint { Addresses = ["127.0.0.43"] }],
        });
        await Client.Endpoints.DeleteAsync("default", name);
        await Eventually.Until(() => SliceNames(name), names => names.SequenceEqual([own]), "the mirrored slice gone with the endpoints, the user's kept");
    }

    [Fact]
    public void Endpoints_labelled_skip_mirror_are_not_mirrored()
    {
        var service = Service("skip") with { Metadata = new ObjectMeta { Name = "skip", Namespace = "default", Uid = "u" } };
        var endpoints = new Endpoints
        {
            Metadata = new ObjectMeta { Name = "skip", Namespace = "default", Labels = Objects.Labels((EndpointSliceMirrorPlanner.SkipMirrorLabel, "true")) },
            Subsets = [new EndpointSubset { Addresses = [new EndpointAddress { Ip = "127.0.0.44" }] }],
        };

        Assert.Empty(EndpointSliceMirrorPlanner.Plan(service, endpoints));
        Assert.Single(EndpointSliceMirrorPlanner.Plan(service, endpoints with { Metadata = endpoints.Metadata with { Labels = null } }));
    }

    private async Task<string[]> SliceNames(string service)
    {
        var list = await Client.EndpointSlices.ListAsync(new ListOptions { Namespace = "default", LabelSelector = $"{EndpointSlice.ServiceNameLabel}={service}" });
        return [.. list.Items.Select(s => s.Metadata.Name!).Order(StringComparer.Ordinal)];
    }

    private async Task SetStatusAsync(Pod pod, string ip, bool ready)
    {
        var current = await Client.Pods.GetAsync("default", pod.Metadata.Name!);
        await Client.Pods.UpdateStatusAsync(current with
        {
            Status = new PodStatus
            {
                Phase = "Running",
                PodIP = ip,
                Conditions = [new PodCondition { Type = "Ready", Status = ready ? "True" : "False" }],
            },
        });
    }

    private Task<Endpoints> EndpointsUntil(string name, Func<Endpoints, bool> done, string phase) =>
        Eventually.Until(async () =>
        {
            try
            {
                return await Client.Endpoints.GetAsync("default", name);
            }
            catch (NotFoundException)
            {
                return new Endpoints { Subsets = [new EndpointSubset()] };
            }
        }, done, $"endpoints default/{name}: {phase}");

    private async Task<EndpointSlice?> SliceOf(string service)
    {
        var list = await Client.EndpointSlices.ListAsync(new ListOptions { Namespace = "default", LabelSelector = $"{EndpointSlice.ServiceNameLabel}={service}" });
        return list.Items.SingleOrDefault();
    }

    private async Task<bool> Exists(string name)
    {
        try
        {
            await Client.Endpoints.GetAsync("default", name);
            return true;
        }
        catch (NotFoundException)
        {
            return false;
        }
    }
}
