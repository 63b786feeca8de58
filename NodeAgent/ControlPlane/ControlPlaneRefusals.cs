using System.Collections.Concurrent;
using Granary.Errors;
using Granary.NodeAgent.Pods;
using Granary.Retry;
using Microsoft.Extensions.Logging;

namespace Granary.NodeAgent.ControlPlane;

/// <summary>
/// What the control plane refused this node (a 403: its Node authorizer, or a certificate that does not name the
/// node). A refusal is not an outage: asking again at once gets the same answer until an operator changes the
/// certificate or the policy. So each kind of call is logged once, as a Warning that says what to fix, and again
/// (Information) when it is allowed; each refused call and target waits out its own <see cref="Backoff"/> before it
/// reaches the control plane again, meanwhile failing at once with the last refusal. The rest of the agent carries on:
/// a refusal ends no loop.
/// </summary>
public sealed partial class ControlPlaneRefusals(NodeIdentity node, TimeProvider time, ILogger<ControlPlaneRefusals> logger)
{
    public static readonly TimeSpan FirstRetry = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan LongestRetry = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<AgentCall, bool> _logged = new();
    private readonly ConcurrentDictionary<(AgentCall Call, string Target), Gate> _gates = new();

    /// <summary>True while calls of this kind are refused (the last one was).</summary>
    public bool IsRefused(AgentCall call) => _logged.ContainsKey(call);

    /// <summary>
    /// Makes the call unless it was refused for <paramref name="target"/> and its back-off has not passed; records the
    /// outcome. Throws the <see cref="ForbiddenException"/> (new or remembered) when refused; other failures pass
    /// through untouched and change nothing here.
    /// </summary>
    public async Task<T> CallAsync<T>(AgentCall call, string target, Func<Task<T>> action)
    {
        var key = (call, target);
        if (_gates.TryGetValue(key, out var gate) && gate.Closed(time.GetUtcNow()) is { } remembered)
            throw remembered;
        try
        {
            var result = await action();
            Allowed(call, key);
            return result;
        }
        catch (ForbiddenException e)
        {
            Refused(call, key, e);
            throw;
        }
    }

    public Task CallAsync(AgentCall call, string target, Func<Task> action) =>
        CallAsync(call, target, async () =>
        {
            await action();
            return true;
        });

    private void Refused(AgentCall call, (AgentCall, string) key, ForbiddenException e)
    {
        _gates.GetOrAdd(key, _ => new Gate()).Close(e, time.GetUtcNow());
        if (_logged.TryAdd(call, true))
            LogRefused(logger, node.Name, AgentCalls.Permission(call), e.Message, node.Name);
    }

    private void Allowed(AgentCall call, (AgentCall, string) key)
    {
        _gates.TryRemove(key, out _);
        // Allowed again once no target of this kind is refused any more; a later refusal is then logged afresh.
        if (_logged.ContainsKey(call) && !_gates.Keys.Any(k => k.Call == call) && _logged.TryRemove(call, out _))
            LogAllowed(logger, node.Name, AgentCalls.Permission(call));
    }

    /// <summary>One call and target's back-off: closed from a refusal until its delay has passed.</summary>
    private sealed class Gate
    {
        private readonly Backoff _backoff = new(FirstRetry, LongestRetry);
        private ForbiddenException? _refusal;
        private DateTimeOffset _openAt;

        public ForbiddenException? Closed(DateTimeOffset now)
        {
            lock (_backoff)
                return now < _openAt ? _refusal : null;
        }

        public void Close(ForbiddenException refusal, DateTimeOffset now)
        {
            lock (_backoff)
            {
                _refusal = refusal;
                _openAt = now + _backoff.Next();
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "The control plane refuses node {Node} to {Permission}: {Reason}. To fix: give the agent a certificate for its node " +
                  "(CN system:node:{CertificateNode}, O system:nodes, signed by the cluster CA the silos trust: granary certs node NAME) " +
                  "with --node-name matching it, and keep the silos' Node authorizer granting this. Retrying with back-off; the rest of the agent keeps working")]
    private static partial void LogRefused(ILogger logger, string node, string permission, string reason, string certificateNode);

    [LoggerMessage(Level = LogLevel.Information, Message = "The control plane allows node {Node} to {Permission} again")]
    private static partial void LogAllowed(ILogger logger, string node, string permission);
}
