using System.Collections.Immutable;
using Granary.Model;

namespace Granary.Printing.Tables;

/// <summary>NAME TYPE CLUSTER-IP EXTERNAL-IP PORT(S) AGE (+ SELECTOR), as kube-apiserver's printService.</summary>
internal sealed class ServiceTable : KindTable
{
    public override ImmutableArray<TableColumn> Columns { get; } =
    [
        NameColumn,
        new("Type", "type determines how the Service is exposed."),
        new("Cluster-IP", "clusterIP is the IP address of the service and is usually assigned randomly."),
        new("External-IP", "externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service."),
        new("Port(s)", "The list of ports that are exposed by this service."),
        AgeColumn,
        new("Selector", "Route service traffic to pods with label keys and values matching this selector.", Priority: 1),
    ];

    public override IReadOnlyList<string> Cells(IResource resource, DateTimeOffset now)
    {
        var service = (Service)resource;
        var ports = ServiceColumns.Ports(service.Spec.Ports);
        return
        [
            service.Metadata.Name ?? "",
            service.Spec.Type ?? "",
            service.Spec.ClusterIPs is { Count: > 0 } ips ? ips[0] : "<none>",
            ServiceColumns.ExternalIP(service),
            ports.Length == 0 ? "<none>" : ports,
            Age(service, now),
            ServiceColumns.Selector(service.Spec.Selector),
        ];
    }
}

/// <summary>NAME ENDPOINTS AGE, as kube-apiserver's printEndpoints.</summary>
internal sealed class EndpointsTable : KindTable
{
    public override ImmutableArray<TableColumn> Columns { get; } =
    [
        NameColumn,
        new("Endpoints", "The set of all endpoints is the union of all subsets."),
        AgeColumn,
    ];

    public override IReadOnlyList<string> Cells(IResource resource, DateTimeOffset now) =>
        [resource.Metadata.Name ?? "", ServiceColumns.Endpoints((Endpoints)resource), Age(resource, now)];
}

/// <summary>NAME ADDRESSTYPE PORTS ENDPOINTS AGE, as kube-apiserver's printEndpointSlice.</summary>
internal sealed class EndpointSliceTable : KindTable
{
    public override ImmutableArray<TableColumn> Columns { get; } =
    [
        NameColumn,
        new("AddressType", "addressType specifies the type of address carried by this EndpointSlice."),
        new("Ports", "ports specifies the list of network ports exposed by each endpoint in this slice."),
        new("Endpoints", "endpoints is a list of unique endpoints in this slice."),
        AgeColumn,
    ];

    public override IReadOnlyList<string> Cells(IResource resource, DateTimeOffset now)
    {
        var slice = (EndpointSlice)resource;
        return
        [
            slice.Metadata.Name ?? "",
            slice.AddressType,
            ServiceColumns.SlicePorts(slice.Ports),
            ServiceColumns.SliceEndpoints(slice.Endpoints),
            Age(slice, now),
        ];
    }
}
