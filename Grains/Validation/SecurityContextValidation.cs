using System.Collections.Immutable;
using System.Text.RegularExpressions;
using Granary.Errors;
using Granary.Model;

namespace Granary.Grains.Validation;

/// <summary>Pod and container security contexts (kube's ValidatePodSecurityContext and ValidateSecurityContext).</summary>
public static partial class SecurityContextValidation
{
    public const string IdRange = "must be between 0 and 2147483647, inclusive";
    public static readonly ImmutableArray<string> ProfileTypes = ["Localhost", "RuntimeDefault", "Unconfined"];
    public static readonly ImmutableArray<string> FsGroupChangePolicies = ["OnRootMismatch", "Always"];
    public static readonly ImmutableArray<string> SupplementalGroupsPolicies = ["Merge", "Strict"];
    public static readonly ImmutableArray<string> SeLinuxChangePolicies = ["MountOption", "Recursive"];
    public static readonly ImmutableArray<string> ProcMountTypes = ["Default", "Unmasked"];

    private const string SysctlPattern = @"^([a-z0-9]([-_a-z0-9]*[a-z0-9])?[\./])*[a-z0-9]([-_a-z0-9]*[a-z0-9])?$";

    public static IEnumerable<FieldError> Pod(PodSpec spec, string field)
    {
        if (spec.ShareProcessNamespace == true && spec.HostPID == true)
            yield return new FieldError($"{field}.securityContext.shareProcessNamespace", "Invalid value", "true: ShareProcessNamespace and HostPID cannot both be enabled");
        if (spec.SecurityContext is not { } context)
            yield break;
        var path = $"{field}.securityContext";
        var errors = Id(context.FsGroup, $"{path}.fsGroup")
            .Concat(Id(context.RunAsUser, $"{path}.runAsUser"))
            .Concat(Id(context.RunAsGroup, $"{path}.runAsGroup"))
            .Concat((context.SupplementalGroups ?? []).SelectMany((g, i) => Id(g, $"{path}.supplementalGroups[{i}]")))
            .Concat(OneOf(context.FsGroupChangePolicy, FsGroupChangePolicies, $"{path}.fsGroupChangePolicy"))
            .Concat(OneOf(context.SupplementalGroupsPolicy, SupplementalGroupsPolicies, $"{path}.supplementalGroupsPolicy"))
            .Concat(OneOf(context.SeLinuxChangePolicy, SeLinuxChangePolicies, $"{path}.seLinuxChangePolicy"))
            .Concat(Profile(context.SeccompProfile?.Type, context.SeccompProfile?.LocalhostProfile, "seccomp", $"{path}.seccompProfile"))
            .Concat(Profile(context.AppArmorProfile?.Type, context.AppArmorProfile?.LocalhostProfile, "apparmor", $"{path}.appArmorProfile"))
            .Concat(Sysctls(context.Sysctls, $"{path}.sysctls"));
        foreach (var error in errors)
            yield return error;
    }

    public static IEnumerable<FieldError> Container(SecurityContext? context, string field)
    {
        if (context is null)
            yield break;
        var errors = Id(context.RunAsUser, $"{field}.runAsUser")
            .Concat(Id(context.RunAsGroup, $"{field}.runAsGroup"))
            .Concat(OneOf(context.ProcMount, ProcMountTypes, $"{field}.procMount"))
            .Concat(Profile(context.SeccompProfile?.Type, context.SeccompProfile?.LocalhostProfile, "seccomp", $"{field}.seccompProfile"))
            .Concat(Profile(context.AppArmorProfile?.Type, context.AppArmorProfile?.LocalhostProfile, "apparmor", $"{field}.appArmorProfile"))
            .Concat(Capabilities(context.Capabilities?.Add, $"{field}.capabilities.add"))
            .Concat(Capabilities(context.Capabilities?.Drop, $"{field}.capabilities.drop"));
        foreach (var error in errors)
            yield return error;

        // A process that may not gain privileges cannot be privileged, nor hold CAP_SYS_ADMIN.
        if (context.AllowPrivilegeEscalation == false)
        {
            if (context.Privileged == true)
                yield return new FieldError(field, "Invalid value", "cannot set `allowPrivilegeEscalation` to false and `privileged` to true");
            if (context.Capabilities?.Add?.Contains("CAP_SYS_ADMIN") == true)
                yield return new FieldError(field, "Invalid value", "cannot set `allowPrivilegeEscalation` to false and `capabilities.Add` CAP_SYS_ADMIN");
        }
    }

    private static IEnumerable<FieldError> Id(long? id, string field)
    {
        if (id is { } value and (< 0 or > int.MaxValue))
            yield return NumberValidation.Invalid(field, value, IdRange);
    }

    private static IEnumerable<FieldError> OneOf(string? value, ImmutableArray<string> allowed, string field)
    {
        if (value is not null && !allowed.Contains(value))
            yield return FieldError.Unsupported(field, value, allowed);
    }

    private static IEnumerable<FieldError> Profile(string? type, string? localhostProfile, string what, string field)
    {
        if (type is null)
            yield break;
        switch (type)
        {
            case "Localhost" when string.IsNullOrEmpty(localhostProfile):
                yield return FieldError.Required($"{field}.localhostProfile") with { Detail = $"must be set when {what} type is Localhost" };
                break;
            case "RuntimeDefault" or "Unconfined" when localhostProfile is not null:
                yield return FieldError.Invalid($"{field}.localhostProfile", localhostProfile, $"can only be set when {what} type is Localhost");
                break;
            case "":
                yield return FieldError.Required($"{field}.type") with { Detail = $"type is required when {what}Profile is set" };
                break;
            case "Localhost" or "RuntimeDefault" or "Unconfined":
                break;
            default:
                yield return FieldError.Unsupported($"{field}.type", type, ProfileTypes);
                break;
        }
    }

    // Docker takes names with or without the CAP_ prefix, in any case, and ALL; anything else fails at container start.
    private static IEnumerable<FieldError> Capabilities(ImmutableList<string>? names, string field)
    {
        foreach (var (name, i) in (names ?? []).Select((n, i) => (n, i)))
            if (name.Length == 0 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
                yield return FieldError.Invalid($"{field}[{i}]", name, "a capability must be a name such as NET_ADMIN, CAP_NET_ADMIN or ALL (letters, digits and '_')");
    }

    private static IEnumerable<FieldError> Sysctls(ImmutableList<Sysctl>? sysctls, string field)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (sysctl, i) in (sysctls ?? []).Select((s, i) => (s, i)))
        {
            var path = $"{field}[{i}].name";
            if (sysctl.Name.Length == 0)
                yield return FieldError.Required(path);
            else if (sysctl.Name.Length > 253 || !SysctlName().IsMatch(sysctl.Name))
                yield return FieldError.Invalid(path, sysctl.Name, $"must have at most 253 characters and match regex {SysctlPattern}");
            else if (!names.Add(sysctl.Name))
                yield return FieldError.Duplicate(path, sysctl.Name);
        }
    }

    [GeneratedRegex(SysctlPattern)]
    private static partial Regex SysctlName();
}
