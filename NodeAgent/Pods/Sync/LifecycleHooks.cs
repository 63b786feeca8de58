using Granary.Model;
using Granary.NodeAgent.Probes;
using Granary.NodeAgent.Runtime;

namespace Granary.NodeAgent.Pods.Sync;

/// <summary>
/// Runs a container's lifecycle hook as the kubelet does: exec inside the container (exit 0 succeeds), an HTTP GET
/// to the pod (below 400 succeeds) or a sleep. tcpSocket is accepted by the API for compatibility only and fails
/// at run time, as in the kubelet. Exec and httpGet run through the probes' runner, so both share one behaviour.
/// </summary>
public sealed class LifecycleHooks(IContainerRuntime runtime, TimeProvider time) : IDisposable
{
    private readonly ProbeRunner _runner = new(runtime, time);

    /// <summary>Runs <paramref name="handler"/> for the instance within <paramref name="timeout"/>; the failure in the kubelet's words, or null.</summary>
    public async Task<string?> RunAsync(LifecycleHandler handler, Pod pod, Container spec, ContainerInfo instance, TimeSpan timeout, CancellationToken ct)
    {
        if (handler.Sleep is { } sleep)
        {
            var wait = TimeSpan.FromSeconds(sleep.Seconds);
            await Task.Delay(wait < timeout ? wait : timeout, time, ct);
            return null;
        }
        if (handler.Exec is null && handler.HttpGet is null)
            return "Cannot run handler: invalid handler: only exec, httpGet and sleep hooks run (tcpSocket is not supported)";

        var probe = new Probe
        {
            Exec = handler.Exec,
            HttpGet = handler.HttpGet,
            TimeoutSeconds = (int)Math.Max(1, Math.Ceiling(timeout.TotalSeconds)),
        };
        var podIp = ContainerNaming.Label(instance, ContainerNaming.PodIpLabel) ?? pod.Status?.PodIP ?? "127.0.0.1";
        var target = new ProbeTarget(pod.Metadata.Uid!, podIp, spec.Name, instance.Id, instance.StartedAt ?? time.GetUtcNow(), spec);
        var result = await _runner.RunAsync(ProbeKind.Liveness, probe, target, ct);
        if (result.Succeeded)
            return null;
        // The runner speaks of probes ("Liveness probe failed: …"); a hook's message names the hook instead.
        var detail = result.Message is { } message && message.IndexOf(": ", StringComparison.Ordinal) is var at and >= 0 ? message[(at + 2)..] : result.Message;
        return handler.Exec is { } exec
            ? $"Exec lifecycle hook ([{string.Join(' ', exec.Command ?? [])}]) for Container \"{spec.Name}\" in Pod \"{pod.Metadata.Name}_{pod.Metadata.Namespace}({pod.Metadata.Uid})\" failed - error: {detail}"
            : $"HTTP lifecycle hook ({handler.HttpGet!.Path}) for Container \"{spec.Name}\" in Pod \"{pod.Metadata.Name}_{pod.Metadata.Namespace}({pod.Metadata.Uid})\" failed - error: {detail}";
    }

    public void Dispose() => _runner.Dispose();
}
