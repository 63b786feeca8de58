using System.Collections.Immutable;
using System.Text;
using Granary.Model;

namespace Granary.Grains.Security.Rbac;

/// <summary>
/// Whether the rules a user holds cover rules they want to grant, as kube's rbac validation (Covers, BreakdownRule,
/// CompactRules, CompactString) decides and words it. A wanted rule is broken into atoms of one group, one resource,
/// one verb and at most one resource name (or one URL and one verb); each atom must be covered by a single held rule.
/// Pure.
/// </summary>
public static class RuleCoverage
{
    /// <summary>The atoms of <paramref name="wanted"/> that no rule of <paramref name="held"/> covers; empty when all are covered.</summary>
    public static ImmutableList<PolicyRule> Uncovered(IEnumerable<PolicyRule> held, IEnumerable<PolicyRule> wanted)
    {
        var owner = held as IReadOnlyCollection<PolicyRule> ?? [.. held];
        return [.. wanted.SelectMany(Breakdown).Where(atom => !owner.Any(rule => Covers(rule, atom)))];
    }

    /// <summary>kube's BreakdownRule: one rule per group × resource × verb (× resource name), then per URL × verb.</summary>
    public static IEnumerable<PolicyRule> Breakdown(PolicyRule rule)
    {
        foreach (var group in rule.ApiGroups ?? [])
            foreach (var resource in rule.Resources ?? [])
                foreach (var verb in rule.Verbs)
                {
                    if (rule.ResourceNames is { Count: > 0 } names)
                    {
                        foreach (var name in names)
                            yield return new PolicyRule { ApiGroups = [group], Resources = [resource], Verbs = [verb], ResourceNames = [name] };
                    }
                    else
                    {
                        yield return new PolicyRule { ApiGroups = [group], Resources = [resource], Verbs = [verb] };
                    }
                }
        foreach (var url in rule.NonResourceUrls ?? [])
            foreach (var verb in rule.Verbs)
                yield return new PolicyRule { NonResourceUrls = [url], Verbs = [verb] };
    }

    /// <summary>
    /// kube's ruleCovers: the held rule has every verb, group, resource and URL of the atom ("*" for any; "*/status"
    /// for any resource's status), and either no resource names or the atom's one. A rule naming objects never covers
    /// an atom without a name, which would mean every object.
    /// </summary>
    public static bool Covers(PolicyRule held, PolicyRule atom)
    {
        var verbs = HasAll(held.Verbs, atom.Verbs);
        var groups = HasAll(held.ApiGroups, atom.ApiGroups);
        var resources = ResourcesCover(held.Resources ?? [], atom.Resources ?? []);
        var urls = (atom.NonResourceUrls ?? []).All(path => (held.NonResourceUrls ?? []).Any(owner => UrlCovers(owner, path)));
        var names = held.ResourceNames is not { Count: > 0 }
            || atom.ResourceNames is { Count: > 0 } && HasAll(held.ResourceNames, atom.ResourceNames);
        return verbs && groups && resources && urls && names;
    }

    /// <summary>
    /// kube's CompactRules: atoms of one group and one resource (and at most one name) that differ only by verb are
    /// merged into one rule listing the verbs in the order they came; anything else is kept as it is.
    /// </summary>
    public static ImmutableList<PolicyRule> Compact(IEnumerable<PolicyRule> rules)
    {
        var others = new List<PolicyRule>();
        var simple = new Dictionary<(string Group, string Resource, string? Name), PolicyRule>();
        var order = new List<(string, string, string?)>();
        foreach (var rule in rules)
        {
            if (SimpleKey(rule) is not { } key)
            {
                others.Add(rule);
                continue;
            }
            if (simple.TryGetValue(key, out var existing))
            {
                simple[key] = existing with { Verbs = existing.Verbs.AddRange(rule.Verbs.Where(v => !existing.Verbs.Contains(v, StringComparer.Ordinal))) };
            }
            else
            {
                simple[key] = rule;
                order.Add(key);
            }
        }
        return [.. others, .. order.Select(k => simple[k])];
    }

    /// <summary>kube's CompactString, e.g. <c>{APIGroups:[""], Resources:["pods"], Verbs:["get" "list"]}</c>.</summary>
    public static string Describe(PolicyRule rule)
    {
        var parts = new List<string>();
        void Add(string field, IReadOnlyList<string>? values)
        {
            if (values is { Count: > 0 })
                parts.Add($"{field}:[{string.Join(' ', values.Select(GoQuote))}]");
        }
        Add("APIGroups", rule.ApiGroups);
        Add("Resources", rule.Resources);
        Add("NonResourceURLs", rule.NonResourceUrls);
        Add("ResourceNames", rule.ResourceNames);
        Add("Verbs", rule.Verbs);
        return "{" + string.Join(", ", parts) + "}";
    }

    /// <summary>A string as Go's %q prints it: in double quotes, with backslashes, quotes and control characters escaped.</summary>
    public static string GoQuote(string value)
    {
        var text = new StringBuilder("\"");
        foreach (var c in value)
        {
            text.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                _ when char.IsControl(c) => $"\\x{(int)c:x2}",
                _ => c.ToString(),
            });
        }
        return text.Append('"').ToString();
    }

    private static (string, string, string?)? SimpleKey(PolicyRule rule) =>
        rule is { ApiGroups.Count: 1, Resources.Count: 1 } && rule.NonResourceUrls is not { Count: > 0 } && rule.ResourceNames is not { Count: > 1 }
            ? (rule.ApiGroups[0], rule.Resources[0], rule.ResourceNames is { Count: 1 } names ? names[0] : null)
            : null;

    private static bool HasAll(IReadOnlyList<string>? held, IReadOnlyList<string>? wanted)
    {
        var owner = held ?? [];
        return owner.Contains(RuleMatching.All, StringComparer.Ordinal) || (wanted ?? []).All(w => owner.Contains(w, StringComparer.Ordinal));
    }

    /// <summary>kube's resourceCoversAll: "*", the resource itself, or "*/sub" for a subresource.</summary>
    private static bool ResourcesCover(IReadOnlyList<string> held, IReadOnlyList<string> wanted)
    {
        if (held.Contains(RuleMatching.All, StringComparer.Ordinal))
            return true;
        foreach (var resource in wanted)
        {
            if (held.Contains(resource, StringComparer.Ordinal))
                continue;
            var slash = resource.IndexOf('/', StringComparison.Ordinal);
            if (slash < 0 || !held.Contains("*/" + resource[(slash + 1)..], StringComparer.Ordinal))
                return false;
        }
        return true;
    }

    private static bool UrlCovers(string owner, string path) =>
        owner == path || owner.EndsWith('*') && path.StartsWith(owner.TrimEnd('*'), StringComparison.Ordinal);
}
