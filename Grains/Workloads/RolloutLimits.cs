using System.Globalization;
using Granary.Model;

namespace Granary.Grains.Workloads;

/// <summary>
/// maxSurge and maxUnavailable as pod counts, resolved as Kubernetes' ResolveFenceposts does: a percentage of the
/// desired replicas, surge rounded up and unavailability rounded down, and never both zero (unavailability becomes 1).
/// </summary>
public readonly record struct RolloutLimits(int MaxSurge, int MaxUnavailable)
{
    public static readonly IntOrString DefaultMaxSurge = "25%";
    public static readonly IntOrString DefaultMaxUnavailable = "25%";

    public static RolloutLimits Resolve(IntOrString? maxSurge, IntOrString? maxUnavailable, int desired)
    {
        var surge = Scaled(maxSurge ?? DefaultMaxSurge, desired, roundUp: true);
        var unavailable = Scaled(maxUnavailable ?? DefaultMaxUnavailable, desired, roundUp: false);
        return surge == 0 && unavailable == 0 ? new RolloutLimits(0, 1) : new RolloutLimits(surge, unavailable);
    }

    /// <summary>The limits a Deployment's strategy gives; Recreate has no surge and may lose every pod.</summary>
    public static RolloutLimits For(DeploymentSpec spec)
    {
        var desired = spec.Replicas ?? 1;
        if (spec.Strategy?.Type == DeploymentStrategy.RecreateType)
            return new RolloutLimits(0, desired);
        return Resolve(spec.Strategy?.RollingUpdate?.MaxSurge, spec.Strategy?.RollingUpdate?.MaxUnavailable, desired);
    }

    /// <summary>A count, or a percentage of <paramref name="total"/>. Throws FormatException for anything else.</summary>
    public static int Scaled(IntOrString value, int total, bool roundUp)
    {
        if (value.IntValue is { } count)
            return count;
        if (!TryPercent(value.StringValue, out var percent))
            throw new FormatException($"invalid value for IntOrString: invalid value \"{value}\": must be an integer or a percentage (e.g. 25%)");
        var scaled = percent * (double)total / 100;
        return (int)(roundUp ? Math.Ceiling(scaled) : Math.Floor(scaled));
    }

    /// <summary>Whether <paramref name="text"/> is a numeric string followed by '%' (Kubernetes' percent syntax).</summary>
    public static bool TryPercent(string? text, out int percent)
    {
        percent = 0;
        return text is { Length: > 1 } && text[^1] == '%' && text[..^1].All(char.IsAsciiDigit)
            && int.TryParse(text[..^1], NumberStyles.None, CultureInfo.InvariantCulture, out percent);
    }
}
