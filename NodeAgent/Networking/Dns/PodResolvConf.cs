using System.Text;
using Granary.Model;

namespace Granary.NodeAgent.Networking.Dns;

/// <summary>A pod's resolv.conf, and the warnings the kubelet gives while forming it (reason, message).</summary>
public sealed record PodDnsPlan(HostDnsConfig Config, IReadOnlyList<(string Reason, string Message)> Warnings)
{
    /// <summary>The file's text: one nameserver line each, then search, then options.</summary>
    public string Render()
    {
        var text = new StringBuilder();
        foreach (var server in Config.Nameservers)
            text.Append("nameserver ").Append(server).Append('\n');
        if (Config.Searches.Count > 0)
            text.Append("search ").AppendJoin(' ', Config.Searches).Append('\n');
        if (Config.Options.Count > 0)
            text.Append("options ").AppendJoin(' ', Config.Options).Append('\n');
        return text.ToString();
    }
}

/// <summary>
/// What goes in a pod's resolv.conf, by the kubelet's rules (pkg/kubelet/network/dns): ClusterFirst (the default)
/// names only the cluster DNS, searches NS.svc.DOMAIN svc.DOMAIN DOMAIN then the host's search domains, ndots:5;
/// a hostNetwork pod with ClusterFirst takes the host's file unless its policy is ClusterFirstWithHostNet; Default is
/// the host's; None starts empty. dnsConfig's nameservers and searches are then appended (duplicates dropped) and its
/// options merged by name; finally at most 3 nameservers and 32 search domains of 2048 characters are kept. Pure.
/// </summary>
public static class PodResolvConf
{
    public const int MaxNameservers = 3;
    public const int MaxSearches = 32;
    public const int MaxSearchChars = 2048;

    /// <param name="clusterNameserver">The cluster DNS address pods can use; null when there is none (MissingClusterDNS).</param>
    /// <param name="clusterDnsProblem">Why there is none, for the event.</param>
    public static PodDnsPlan Plan(Pod pod, HostDnsConfig host, string? clusterNameserver, string clusterDomain, string clusterDnsProblem)
    {
        var warnings = new List<(string, string)>();
        var policy = string.IsNullOrEmpty(pod.Spec.DnsPolicy) ? "ClusterFirst" : pod.Spec.DnsPolicy;
        var clusterFirst = policy == "ClusterFirstWithHostNet" || policy == "ClusterFirst" && pod.Spec.HostNetwork != true;
        var config = policy == "None" ? HostDnsConfig.Empty : host;
        if (clusterFirst && clusterNameserver is not null)
        {
            string[] clusterSearch = [$"{pod.Metadata.Namespace ?? "default"}.svc.{clusterDomain}", $"svc.{clusterDomain}", clusterDomain];
            config = new HostDnsConfig([clusterNameserver], Distinct([.. clusterSearch, .. host.Searches]), ["ndots:5"]);
        }
        else if (clusterFirst)
        {
            warnings.Add(("MissingClusterDNS",
                $"pod: \"{pod.Metadata.Name}_{pod.Metadata.Namespace}({pod.Metadata.Uid})\". kubelet does not have ClusterDNS IP configured and cannot create Pod using \"{policy}\" policy. "
                + $"Falling back to \"Default\" policy. ({clusterDnsProblem})"));
        }

        if (pod.Spec.DnsConfig is { } extra)
        {
            config = new HostDnsConfig(
                Distinct([.. config.Nameservers, .. extra.Nameservers ?? []]),
                Distinct([.. config.Searches, .. extra.Searches ?? []]),
                MergeOptions(config.Options, extra.Options ?? []));
        }
        return new PodDnsPlan(FitLimits(config, warnings), warnings);
    }

    private static HostDnsConfig FitLimits(HostDnsConfig config, List<(string, string)> warnings)
    {
        var searches = config.Searches;
        if (searches.Count > MaxSearches || string.Join(' ', searches).Length > MaxSearchChars)
        {
            var kept = new List<string>();
            foreach (var search in searches.Take(MaxSearches))
            {
                if (string.Join(' ', [.. kept, search]).Length > MaxSearchChars)
                    break;
                kept.Add(search);
            }
            searches = kept;
            warnings.Add(("DNSConfigForming", $"Search Line limits were exceeded, some search paths have been omitted, the applied search line is: {string.Join(' ', searches)}"));
        }
        var nameservers = config.Nameservers;
        if (nameservers.Count > MaxNameservers)
        {
            nameservers = [.. nameservers.Take(MaxNameservers)];
            warnings.Add(("DNSConfigForming", $"Nameserver limits were exceeded, some nameservers have been omitted, the applied nameserver line is: {string.Join(' ', nameservers)}"));
        }
        return config with { Nameservers = nameservers, Searches = searches };
    }

    /// <summary>Options by name: a pod's option replaces the one of the same name in place, new ones are appended.</summary>
    private static IReadOnlyList<string> MergeOptions(IReadOnlyList<string> existing, IEnumerable<PodDNSConfigOption> extra)
    {
        var merged = new List<(string Name, string Value)>();
        void Set(string name, string value)
        {
            var at = merged.FindIndex(o => o.Name == name);
            if (at >= 0)
                merged[at] = (name, value);
            else
                merged.Add((name, value));
        }
        foreach (var option in existing)
        {
            var colon = option.IndexOf(':', StringComparison.Ordinal);
            Set(colon < 0 ? option : option[..colon], colon < 0 ? "" : option[(colon + 1)..]);
        }
        foreach (var option in extra)
            Set(option.Name ?? "", option.Value ?? "");
        return [.. merged.Select(o => o.Value.Length == 0 ? o.Name : $"{o.Name}:{o.Value}")];
    }

    private static IReadOnlyList<string> Distinct(IEnumerable<string> values) => [.. values.Distinct(StringComparer.Ordinal)];
}
