using System.Collections.Immutable;
using Granary.Errors;
using Granary.Grains.Services;
using Granary.Model;

namespace Granary.Grains.Validation;

/// <summary>Kubernetes' service rules (ValidateService, ValidateServiceUpdate), with its field paths and wording.</summary>
public static class ServiceValidation
{
    private static readonly ImmutableArray<string> Affinities = ["ClientIP", "None"];
    private static readonly ImmutableArray<string> TrafficPolicies = ["Cluster", "Local"];
    private static readonly ImmutableArray<string> FamilyPolicies = ["PreferDualStack", "RequireDualStack", "SingleStack"];
    private static readonly ImmutableArray<string> Families = ["IPv4", "IPv6"];
    private const string ValidIP = "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)";

    public static ImmutableList<FieldError> Validate(Service service)
    {
        var spec = service.Spec;
        var errors = ImmutableList.CreateBuilder<FieldError>();
        errors.AddRange(MetadataValidation.Validate(service.Metadata, namespaced: true, NameRule.Dns1035Label));
        var type = spec.Type ?? "";
        if (!ServiceTypes.All.Contains(type))
            errors.Add(FieldError.Unsupported("spec.type", type, ServiceTypes.All));

        var headless = spec.ClusterIP == Service.ClusterIPNone;
        var ports = spec.Ports ?? [];
        if (ports.Count == 0 && !headless && type != ServiceTypes.ExternalName)
            errors.Add(FieldError.Required("spec.ports"));
        errors.AddRange(Ports(ports, type));
        errors.AddRange(ClusterIPs(spec, type));
        errors.AddRange(SyntaxValidation.Labels(spec.Selector, "spec.selector"));

        if (!Affinities.Contains(spec.SessionAffinity ?? ""))
            errors.Add(FieldError.Unsupported("spec.sessionAffinity", spec.SessionAffinity ?? "", Affinities));
        if (spec.SessionAffinityConfig?.ClientIP?.TimeoutSeconds is { } timeout && timeout is <= 0 or > 86400)
            errors.Add(NumberValidation.Invalid("spec.sessionAffinityConfig.clientIP.timeoutSeconds", timeout, "must be greater than 0 and less than 86400"));

        foreach (var (ip, i) in (spec.ExternalIPs ?? []).Select((ip, i) => (ip, i)))
            if (ServiceNetwork.TryParseAddress(ip) is null)
                errors.Add(FieldError.Invalid($"spec.externalIPs[{i}]", ip, ValidIP));

        errors.AddRange(TrafficPolicy(spec, type));
        if (spec.AllocateLoadBalancerNodePorts is not null && type != ServiceTypes.LoadBalancer)
            errors.Add(FieldError.Forbidden("spec.allocateLoadBalancerNodePorts", "may only be used when `type` is 'LoadBalancer'"));

        if (type == ServiceTypes.ExternalName)
        {
            if (spec.ClusterIPs is { Count: > 0 })
                errors.Add(FieldError.Forbidden("spec.clusterIPs", "may not be set for ExternalName services"));
            if (spec.IpFamilies is { Count: > 0 })
                errors.Add(FieldError.Forbidden("spec.ipFamilies", "may not be set for ExternalName services"));
            if (spec.IpFamilyPolicy is not null)
                errors.Add(FieldError.Forbidden("spec.ipFamilyPolicy", "may not be set for ExternalName services"));
            // The name may end in a dot, marking it fully qualified.
            var cname = spec.ExternalName?.TrimEnd('.') ?? "";
            if (cname.Length == 0)
                errors.Add(FieldError.Required("spec.externalName"));
            else
                errors.AddRange(SyntaxValidation.Dns1123Subdomain(cname, "spec.externalName"));
        }
        return errors.ToImmutable();
    }

    /// <summary>Besides <see cref="Validate"/>: a service's cluster IP may not change once set.</summary>
    public static ImmutableList<FieldError> ValidateUpdate(Service old, Service updated)
    {
        var errors = ImmutableList.CreateBuilder<FieldError>();
        errors.AddRange(MetadataValidation.ValidateUpdate(old.Metadata, updated.Metadata));
        errors.AddRange(Validate(updated));
        if (updated.Spec.Type != ServiceTypes.ExternalName && old.Spec.Type != ServiceTypes.ExternalName && !string.IsNullOrEmpty(old.Spec.ClusterIP))
        {
            if (old.Spec.ClusterIPs?.FirstOrDefault() != updated.Spec.ClusterIPs?.FirstOrDefault())
                errors.Add(new FieldError("spec.clusterIPs[0]", "Invalid value", $"{GoStrings(updated.Spec.ClusterIPs)}: may not change once set"));
            if (old.Spec.ClusterIP != updated.Spec.ClusterIP)
                errors.Add(FieldError.Invalid("spec.clusterIP", updated.Spec.ClusterIP ?? "", ValidationMessages.Immutable));
        }
        return errors.ToImmutable();
    }

    private static IEnumerable<FieldError> Ports(ImmutableList<ServicePort> ports, string type)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        var portKeys = new HashSet<(int, string?)>();
        var nodePortKeys = new HashSet<(int, string?)>();
        for (var i = 0; i < ports.Count; i++)
        {
            var port = ports[i];
            var path = $"spec.ports[{i}]";
            if (ports.Count > 1 && string.IsNullOrEmpty(port.Name))
                yield return FieldError.Required($"{path}.name");
            else if (!string.IsNullOrEmpty(port.Name))
            {
                foreach (var error in SyntaxValidation.Dns1123Label(port.Name, $"{path}.name"))
                    yield return error;
                if (!names.Add(port.Name))
                    yield return FieldError.Duplicate($"{path}.name", port.Name);
            }
            foreach (var error in NumberValidation.PortNumber(port.Port, $"{path}.port"))
                yield return error;
            if (string.IsNullOrEmpty(port.Protocol))
                yield return FieldError.Required($"{path}.protocol");
            else if (!ContainerValidation.Protocols.Contains(port.Protocol))
                yield return FieldError.Unsupported($"{path}.protocol", port.Protocol, ContainerValidation.Protocols);
            if (port.TargetPort is { } target)
                foreach (var error in NumberValidation.PortNumberOrName(target, $"{path}.targetPort"))
                    yield return error;
            if (!portKeys.Add((port.Port, port.Protocol)))
                yield return new FieldError(path, "Duplicate value", GoServicePortKey(port.Port, port.Protocol));

            if (port.NodePort is not (null or 0) and var nodePort)
            {
                if (type == ServiceTypes.ClusterIP)
                    yield return FieldError.Forbidden($"{path}.nodePort", "may not be used when `type` is 'ClusterIP'");
                foreach (var error in NumberValidation.PortNumber(nodePort.Value, $"{path}.nodePort"))
                    yield return error;
                if (!nodePortKeys.Add((nodePort.Value, port.Protocol)))
                    yield return new FieldError($"{path}.nodePort", "Duplicate value", nodePort.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
        }
    }

    private static IEnumerable<FieldError> ClusterIPs(ServiceSpec spec, string type)
    {
        if (type == ServiceTypes.ExternalName)
            yield break;
        var ips = spec.ClusterIPs ?? [];
        if (!string.IsNullOrEmpty(spec.ClusterIP) && ips.Count > 0 && ips[0] != spec.ClusterIP)
            yield return new FieldError("spec.clusterIPs", "Invalid value", $"{GoStrings(ips)}: first value must match `clusterIP`");
        for (var i = 0; i < ips.Count; i++)
        {
            if (ips[i] == Service.ClusterIPNone)
            {
                if (i > 0 || ips.Count > 1)
                    yield return FieldError.Invalid($"spec.clusterIPs[{i}]", ips[i], "'None' must be the first and only value");
                else if (type is ServiceTypes.NodePort or ServiceTypes.LoadBalancer)
                    yield return FieldError.Invalid("spec.clusterIPs[0]", ips[i], $"may not be set to 'None' for {type} services");
            }
            else if (ServiceNetwork.TryParseAddress(ips[i]) is null)
            {
                yield return FieldError.Invalid($"spec.clusterIPs[{i}]", ips[i], ValidIP);
            }
        }
        if (ips.Count > 1)
            yield return new FieldError("spec.clusterIPs", "Invalid value", $"{GoStrings(ips)}: this cluster is not configured for dual-stack services");

        foreach (var (family, i) in (spec.IpFamilies ?? []).Select((f, i) => (f, i)))
        {
            if (!Families.Contains(family))
                yield return FieldError.Unsupported($"spec.ipFamilies[{i}]", family, Families);
            else if (family == "IPv6")
                yield return FieldError.Invalid($"spec.ipFamilies[{i}]", family, "not configured on this cluster");
        }
        if (spec.IpFamilyPolicy is { } policy && !FamilyPolicies.Contains(policy))
            yield return FieldError.Unsupported("spec.ipFamilyPolicy", policy, FamilyPolicies);
        else if (spec.IpFamilyPolicy == "RequireDualStack")
            yield return FieldError.Invalid("spec.ipFamilyPolicy", "RequireDualStack", "this cluster is not configured for dual-stack services");
    }

    private static IEnumerable<FieldError> TrafficPolicy(ServiceSpec spec, string type)
    {
        var external = type is ServiceTypes.NodePort or ServiceTypes.LoadBalancer;
        if (spec.ExternalTrafficPolicy is { } etp)
        {
            if (!external)
                yield return FieldError.Invalid("spec.externalTrafficPolicy", etp, "may only be set when `type` is 'NodePort' or 'LoadBalancer'");
            else if (!TrafficPolicies.Contains(etp))
                yield return FieldError.Unsupported("spec.externalTrafficPolicy", etp, TrafficPolicies);
        }
        else if (external)
        {
            yield return FieldError.Required("spec.externalTrafficPolicy");
        }
        if (spec.InternalTrafficPolicy is { } itp && !TrafficPolicies.Contains(itp))
            yield return FieldError.Unsupported("spec.internalTrafficPolicy", itp, TrafficPolicies);
        else if (spec.InternalTrafficPolicy is null && type != ServiceTypes.ExternalName)
            yield return FieldError.Required("spec.internalTrafficPolicy");
    }

    /// <summary>A string list as Go's %#v prints it, the way kube-apiserver shows list values in errors.</summary>
    private static string GoStrings(IEnumerable<string>? values) => $"[]string{{{string.Join(", ", (values ?? []).Select(v => $"\"{v}\""))}}}";

    /// <summary>The duplicate-port key as kube-apiserver prints it (a Go struct of only protocol and port).</summary>
    private static string GoServicePortKey(int port, string? protocol) =>
        $"core.ServicePort{{Name:\"\", Protocol:\"{protocol}\", AppProtocol:(*string)(nil), Port:{port}, TargetPort:intstr.IntOrString{{Type:0, IntVal:0, StrVal:\"\"}}, NodePort:0}}";
}
