using System.Collections.Concurrent;
using Granary.Errors;

namespace Granary.Grains.Scheduling;

/// <summary>
/// kube-scheduler's assume and forget: a decision holds its node's capacity from the moment it is made until the cache
/// shows the pod bound, so the next pass does not give the same room twice; a binding that is refused, fails or does
/// not answer within its deadline is forgotten at once, so its room is free for the next pass.
/// </summary>
public sealed class AssumedPods(TimeProvider time, TimeSpan bindTimeout)
{
    // Pod key ("namespace/name") → node. Binds run in parallel, hence concurrent.
    private readonly ConcurrentDictionary<string, string> _nodes = new(StringComparer.Ordinal);

    public int Count => _nodes.Count;

    public void Assume(string podKey, string nodeName) => _nodes[podKey] = nodeName;

    public bool TryGetNode(string podKey, out string nodeName) => _nodes.TryGetValue(podKey, out nodeName!);

    /// <summary>The cache shows the pod bound (or gone): it holds its room by itself now.</summary>
    public void Confirm(string podKey) => _nodes.TryRemove(podKey, out _);

    /// <summary>Forgets every assumption whose pod is no longer in the cache.</summary>
    public void RetainOnly(IReadOnlySet<string> podKeys)
    {
        foreach (var key in _nodes.Keys)
        {
            if (!podKeys.Contains(key))
                _nodes.TryRemove(key, out _);
        }
    }

    /// <summary>
    /// Runs <paramref name="bind"/> for an assumed pod and keeps the assumption only if it succeeds in time; on a
    /// refusal (<see cref="GranaryException"/>), an unreachable grain or no answer within the deadline it forgets the
    /// assumption before returning, and on any other failure before rethrowing. A bind that answers after its deadline
    /// is harmless: the cache then shows the pod bound, and a second binding elsewhere is refused by the pod.
    /// </summary>
    public async Task<BindOutcome> BindAsync(string podKey, Func<Task> bind)
    {
        var bound = false;
        try
        {
            await bind().WaitAsync(bindTimeout, time);
            bound = true;
            return BindOutcome.Bound;
        }
        catch (TimeoutException)
        {
            return BindOutcome.TimedOut;
        }
        catch (Exception e) when (e is GranaryException or OrleansException)
        {
            return BindOutcome.Failed(e.Message);
        }
        finally
        {
            if (!bound)
                _nodes.TryRemove(podKey, out _);
        }
    }
}

/// <summary>How a binding ended: bound, refused or failed (with why), or no answer in time.</summary>
public sealed record BindOutcome(bool Succeeded, string? Reason)
{
    public static readonly BindOutcome Bound = new(true, null);
    public static readonly BindOutcome TimedOut = new(false, "no answer in time");

    public static BindOutcome Failed(string reason) => new(false, reason);
}
