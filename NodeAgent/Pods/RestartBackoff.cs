using System.Globalization;

namespace Granary.NodeAgent.Pods;

/// <summary>
/// The kubelet's back-off after a failure (a container's CrashLoopBackOff, an image's ImagePullBackOff): one that
/// keeps failing waits 10 s, then 20 s, 40 s, … up to 5 min before the next try; one that ran for more than
/// 10 min starts the count afresh. As in the kubelet, the first retry after a fresh start is immediate.
///
/// A value: the pod's bookkeeping keeps one per container, and <see cref="After"/> gives the next one from the
/// failure seen. Recording the same failure again changes nothing, so every sync pass may record what it sees.
/// Pure: time is passed in.
/// </summary>
public readonly record struct RestartBackoff(DateTimeOffset FailedAt, TimeSpan Delay)
{
    public const string Reason = "CrashLoopBackOff";
    public static readonly TimeSpan InitialDelay = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan MaxDelay = TimeSpan.FromMinutes(5);
    /// <summary>A run longer than this clears the back-off (the kubelet's twice <see cref="MaxDelay"/>).</summary>
    public static readonly TimeSpan ResetAfter = TimeSpan.FromMinutes(10);

    /// <summary>
    /// The back-off after a failure at <paramref name="failedAt"/> (a container's finishedAt) of a run that started
    /// at <paramref name="startedAt"/> (null: unknown or never started), following <paramref name="last"/>.
    /// The same or an older failure again gives <paramref name="last"/> back.
    /// </summary>
    public static RestartBackoff After(RestartBackoff? last, DateTimeOffset failedAt, DateTimeOffset? startedAt = null)
    {
        if (last is not { } previous)
            return new(failedAt, TimeSpan.Zero);
        if (failedAt <= previous.FailedAt)
            return previous;

        // Without a start time, the restart happened when the last back-off ended.
        var ranFor = failedAt - (startedAt ?? previous.FailedAt + previous.Delay);
        var delay = ranFor > ResetAfter ? TimeSpan.Zero
            : previous.Delay == TimeSpan.Zero ? InitialDelay
            : TimeSpan.FromTicks(Math.Min(previous.Delay.Ticks * 2, MaxDelay.Ticks));
        return new(failedAt, delay);
    }

    /// <summary>How long until the next try; null when it may be now.</summary>
    public TimeSpan? Remaining(DateTimeOffset now)
    {
        var remaining = FailedAt + Delay - now;
        return remaining > TimeSpan.Zero ? remaining : null;
    }

    /// <summary>The kubelet's waiting message, e.g. "back-off 20s restarting failed container=web pod=web-0_default(uid)".</summary>
    public static string Message(TimeSpan delay, string containerName, string podName, string? podNamespace, string podUid) =>
        $"back-off {GoDuration(delay)} restarting failed container={containerName} pod={podName}_{podNamespace ?? "default"}({podUid})";

    /// <summary>Go's time.Duration text for whole seconds ("40s", "2m40s", "5m0s", "1h0m0s"), as kubectl users know it.</summary>
    private static string GoDuration(TimeSpan delay)
    {
        var seconds = (long)delay.TotalSeconds;
        if (seconds < 60)
            return seconds.ToString(CultureInfo.InvariantCulture) + "s";
        var text = $"{seconds / 60 % 60}m{seconds % 60}s";
        return seconds < 3600 ? text : $"{seconds / 3600}h{text}";
    }
}
