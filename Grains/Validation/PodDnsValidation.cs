using System.Net;
using Granary.Errors;
using Granary.Model;

namespace Granary.Grains.Validation;

/// <summary>A pod's names and DNS settings: hostname, subdomain, dnsPolicy, dnsConfig and hostAliases.</summary>
internal static class PodDnsValidation
{
    private const int MaxNameservers = 3;
    private const int MaxSearches = 32;
    private const int MaxSearchChars = 2048;
    public const string IpRule = "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)";

    public static IEnumerable<FieldError> Validate(PodSpec spec, string field)
    {
        if (!string.IsNullOrEmpty(spec.Hostname))
            foreach (var error in SyntaxValidation.Dns1123Label(spec.Hostname, $"{field}.hostname"))
                yield return error;
        if (!string.IsNullOrEmpty(spec.Subdomain))
            foreach (var error in SyntaxValidation.Dns1123Label(spec.Subdomain, $"{field}.subdomain"))
                yield return error;

        // Unset is ClusterFirst (see PodDefaults).
        if (!string.IsNullOrEmpty(spec.DnsPolicy) && !PodValidation.DnsPolicies.Contains(spec.DnsPolicy))
            yield return FieldError.Unsupported($"{field}.dnsPolicy", spec.DnsPolicy, PodValidation.DnsPolicies);

        var config = spec.DnsConfig;
        if (spec.DnsPolicy == "None")
        {
            if (config is null)
                yield return FieldError.Required($"{field}.dnsConfig") with { Detail = "must provide `dnsConfig` when `dnsPolicy` is None" };
            else if (config.Nameservers is not { Count: > 0 })
                yield return FieldError.Required($"{field}.dnsConfig.nameservers") with { Detail = "must provide at least one DNS nameserver when `dnsPolicy` is None" };
        }
        if (config is not null)
        {
            var nameservers = config.Nameservers ?? [];
            if (nameservers.Count > MaxNameservers)
                yield return new FieldError($"{field}.dnsConfig.nameservers", "Invalid value", $"must not have more than {MaxNameservers} nameservers");
            foreach (var (server, i) in nameservers.Select((s, i) => (s, i)))
                if (!IPAddress.TryParse(server, out _))
                    yield return FieldError.Invalid($"{field}.dnsConfig.nameservers[{i}]", server, IpRule);
            var searches = config.Searches ?? [];
            if (searches.Count > MaxSearches)
                yield return new FieldError($"{field}.dnsConfig.searches", "Invalid value", $"must not have more than {MaxSearches} search paths");
            // The spaces between them count, as kube-apiserver counts the search line.
            if (string.Join(' ', searches).Length > MaxSearchChars)
                yield return new FieldError($"{field}.dnsConfig.searches", "Invalid value", $"must not have more than {MaxSearchChars} characters (including spaces) in the search list");
            foreach (var (search, i) in searches.Select((s, i) => (s, i)))
                foreach (var error in SyntaxValidation.Dns1123Subdomain(search.TrimEnd('.'), $"{field}.dnsConfig.searches[{i}]"))
                    yield return error;
            foreach (var (option, i) in (config.Options ?? []).Select((o, i) => (o, i)))
                if (string.IsNullOrEmpty(option.Name))
                    yield return FieldError.Required($"{field}.dnsConfig.options[{i}]") with { Detail = "Option.Name must not be empty" };
        }

        foreach (var (alias, i) in (spec.HostAliases ?? []).Select((a, i) => (a, i)))
        {
            if (!IPAddress.TryParse(alias.Ip, out _))
                yield return FieldError.Invalid($"{field}.hostAliases[{i}].ip", alias.Ip, IpRule);
            foreach (var (hostname, j) in (alias.Hostnames ?? []).Select((h, j) => (h, j)))
                foreach (var error in SyntaxValidation.Dns1123Subdomain(hostname, $"{field}.hostAliases[{i}].hostnames[{j}]"))
                    yield return error;
        }
    }
}
