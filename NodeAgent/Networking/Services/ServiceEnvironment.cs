using System.Globalization;
using Granary.Model;

namespace Granary.NodeAgent.Networking.Services;

/// <summary>
/// The kubelet's service environment variables (its getServiceEnvVarMap and envvars.FromServices): for every Service
/// of the pod's namespace with a cluster IP (unless the pod sets <c>enableServiceLinks: false</c>) and always for the
/// <c>kubernetes</c> Service of the default namespace, in name order: NAME_SERVICE_HOST, NAME_SERVICE_PORT,
/// NAME_SERVICE_PORT_PORTNAME per named port, and the Docker-link style NAME_PORT, NAME_PORT_80_TCP(_PROTO, _PORT,
/// _ADDR). The container's own env and envFrom win over these. Pure.
/// </summary>
public static class ServiceEnvironment
{
    /// <summary>The API server's Service, whose variables every pod gets (in-cluster clients read them).</summary>
    public const string MasterService = "kubernetes";

    public static IReadOnlyList<KeyValuePair<string, string>> For(Pod pod, ServiceTable services)
    {
        var ns = pod.Metadata.Namespace ?? "default";
        var links = pod.Spec.EnableServiceLinks ?? true;
        var chosen = new SortedDictionary<string, Service>(StringComparer.Ordinal);
        foreach (var (key, service) in services.ByKey)
        {
            if (!HasClusterIp(service))
                continue;
            // The master's never replaces a Service of that name in the pod's own namespace (kubelet's order-free rule).
            if (key.Namespace == "default" && key.Name == MasterService)
                chosen.TryAdd(key.Name, service);
            else if (key.Namespace == ns && links)
                chosen[key.Name] = service;
        }
        var variables = new List<KeyValuePair<string, string>>();
        foreach (var service in chosen.Values)
            Add(variables, service);
        return variables;
    }

    private static bool HasClusterIp(Service service) =>
        service.Spec.ClusterIP is { Length: > 0 } ip && ip != "None" && service.Spec.Ports is { Count: > 0 };

    private static void Add(List<KeyValuePair<string, string>> variables, Service service)
    {
        var prefix = VariableName(service.Metadata.Name ?? "");
        var ip = service.Spec.ClusterIP!;
        var ports = service.Spec.Ports!;
        void Set(string name, string value) => variables.Add(new(name, value));

        Set($"{prefix}_SERVICE_HOST", ip);
        Set($"{prefix}_SERVICE_PORT", Number(ports[0].Port));
        foreach (var port in ports.Where(p => !string.IsNullOrEmpty(p.Name)))
            Set($"{prefix}_SERVICE_PORT_{VariableName(port.Name!)}", Number(port.Port));

        var host = ip.Contains(':', StringComparison.Ordinal) ? $"[{ip}]" : ip;
        for (var i = 0; i < ports.Count; i++)
        {
            var protocol = string.IsNullOrEmpty(ports[i].Protocol) ? "TCP" : ports[i].Protocol!;
            var url = $"{protocol.ToLowerInvariant()}://{host}:{Number(ports[i].Port)}";
            if (i == 0)
                Set($"{prefix}_PORT", url);
            var portPrefix = $"{prefix}_PORT_{Number(ports[i].Port)}_{protocol.ToUpperInvariant()}";
            Set(portPrefix, url);
            Set($"{portPrefix}_PROTO", protocol.ToLowerInvariant());
            Set($"{portPrefix}_PORT", Number(ports[i].Port));
            Set($"{portPrefix}_ADDR", ip);
        }
    }

    private static string VariableName(string name) => name.Replace('-', '_').ToUpperInvariant();

    private static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);
}
