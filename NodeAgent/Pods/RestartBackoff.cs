using System.Globalization;

namespace Granary.NodeAgent.Pods;

/// <summary>
/// The kubelet's container restart back-off (CrashLoopBackOff): a container that keeps failing waits 10 s,
/// then 20 s, 40 s, … up to 5 min between restarts; one that ran for more than 10 min starts the count afresh.
/// As in the kubelet, the first restart after a fresh start is immediate.
///
/// Use: on every pass, record the failure you see (<see cref="RecordFailure"/> is idempotent for the same
/// exit), then ask <see cref="RemainingDelay"/>: null means restart now; otherwise report
/// <see cref="Reason"/> with <see cref="Message"/> and come back after the delay.
/// Keys are opaque strings; <see cref="Key"/> makes the "podUid/container" ones <see cref="Forget"/> can drop by pod.
/// Pure: time is passed in. Thread-safe.
/// </summary>
public sealed class RestartBackoff
{
    public const string Reason = "CrashLoopBackOff";
    public static readonly TimeSpan InitialDelay = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan MaxDelay = TimeSpan.FromMinutes(5);
    /// <summary>A run longer than this clears the back-off (the kubelet's twice <see cref="MaxDelay"/>).</summary>
    public static readonly TimeSpan ResetAfter = TimeSpan.FromMinutes(10);

    private readonly Dictionary<string, Failure> _failures = new(StringComparer.Ordinal);

    private readonly record struct Failure(DateTimeOffset At, TimeSpan Delay);

    public static string Key(string podUid, string containerName) => $"{podUid}/{containerName}";

    /// <summary>
    /// Records that what <paramref name="key"/> names failed at <paramref name="failedAt"/> (a container's
    /// finishedAt), having started at <paramref name="startedAt"/> (null: unknown or never started).
    /// The same or an older failure again changes nothing.
    /// </summary>
    public void RecordFailure(string key, DateTimeOffset failedAt, DateTimeOffset? startedAt = null)
    {
        lock (_failures)
        {
            if (!_failures.TryGetValue(key, out var last))
            {
                _failures[key] = new(failedAt, TimeSpan.Zero);
                return;
            }
            if (failedAt <= last.At)
                return;

            // Without a start time, the restart happened when the last back-off ended.
            var ranFor = failedAt - (startedAt ?? last.At + last.Delay);
            var delay = ranFor > ResetAfter ? TimeSpan.Zero
                : last.Delay == TimeSpan.Zero ? InitialDelay
                : TimeSpan.FromTicks(Math.Min(last.Delay.Ticks * 2, MaxDelay.Ticks));
            _failures[key] = new(failedAt, delay);
        }
    }

    /// <summary>How long until <paramref name="key"/> may be restarted; null when it may be now.</summary>
    public TimeSpan? RemainingDelay(string key, DateTimeOffset now)
    {
        lock (_failures)
        {
            if (!_failures.TryGetValue(key, out var last))
                return null;
            var remaining = last.At + last.Delay - now;
            return remaining > TimeSpan.Zero ? remaining : null;
        }
    }

    /// <summary>The back-off that applies to the last recorded failure (zero when none): kubectl's "back-off 20s".</summary>
    public TimeSpan CurrentDelay(string key)
    {
        lock (_failures)
            return _failures.TryGetValue(key, out var last) ? last.Delay : TimeSpan.Zero;
    }

    /// <summary>Forgets one key, or every <see cref="Key"/> of a pod when given its uid (a deleted pod).</summary>
    public void Forget(string keyOrPodUid)
    {
        var prefix = keyOrPodUid + "/";
        lock (_failures)
        {
            _failures.Remove(keyOrPodUid);
            foreach (var key in _failures.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)).ToList())
                _failures.Remove(key);
        }
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
