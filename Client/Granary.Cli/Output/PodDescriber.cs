using System.Globalization;
using Granary.Model;
using Granary.Printing;

namespace Granary.Cli.Output;

/// <summary>`granary describe pod`: kubectl's layout over the fields Granary has.</summary>
internal static class PodDescriber
{
    private static readonly string[] QosResources = ["cpu", "memory"];

    /// <param name="events">The pod's events (those whose involvedObject is this pod, by uid).</param>
    public static string Describe(Pod pod, IReadOnlyList<Event> events, DateTimeOffset now)
    {
        var w = new DescribeWriter(now);
        var status = pod.Status;
        w.Line(0, $"Name:\t{pod.Metadata.Name}");
        w.Line(0, $"Namespace:\t{pod.Metadata.Namespace}");
        w.Line(0, string.IsNullOrEmpty(pod.Spec.NodeName) ? "Node:\t<none>" : $"Node:\t{pod.Spec.NodeName}/{status?.HostIP}");
        if (status?.StartTime is { } start)
            w.Line(0, $"Start Time:\t{w.Time(start)}");
        w.Labels("Labels", pod.Metadata.Labels);
        w.Annotations("Annotations", pod.Metadata.Annotations);
        var phase = status?.Phase ?? "Pending";
        if (pod.Metadata.DeletionTimestamp is { } deleting && phase is not ("Succeeded" or "Failed"))
        {
            w.Line(0, $"Status:\tTerminating (lasts {HumanDuration.Format(now - deleting)})");
            if (pod.Metadata.DeletionGracePeriodSeconds is { } grace)
                w.Line(0, string.Create(CultureInfo.InvariantCulture, $"Termination Grace Period:\t{grace}s"));
        }
        else
        {
            w.Line(0, $"Status:\t{phase}");
        }
        if (!string.IsNullOrEmpty(status?.Reason))
            w.Line(0, $"Reason:\t{status.Reason}");
        if (!string.IsNullOrEmpty(status?.Message))
            w.Line(0, $"Message:\t{status.Message}");
        w.Line(0, $"IP:\t{status?.PodIP}");
        if (pod.Metadata.OwnerReferences?.FirstOrDefault(o => o.Controller == true) is { } owner)
            w.Line(0, $"Controlled By:\t{owner.Kind}/{owner.Name}");

        w.Line(0, "Containers:");
        foreach (var container in pod.Spec.Containers ?? [])
            DescribeContainer(w, pod, container, status?.ContainerStatuses?.FirstOrDefault(s => s.Name == container.Name));

        if (status?.Conditions is { Count: > 0 } conditions)
        {
            w.Line(0, "Conditions:");
            w.Line(1, "Type\tStatus");
            foreach (var c in conditions)
                w.Line(1, $"{c.Type}\t{c.Status}");
        }
        w.Line(0, $"QoS Class:\t{QosClass(pod)}");
        w.Labels("Node-Selectors", pod.Spec.NodeSelector);
        w.Multiline("Tolerations", pod.Spec.Tolerations?.OrderBy(t => t.Key ?? "", StringComparer.Ordinal).Select(Toleration));
        EventsDescriber.Describe(w, WithSchedulingVerdict(pod, events));
        return w.ToString();
    }

    private static void DescribeContainer(DescribeWriter w, Pod pod, Container container, ContainerStatus? status)
    {
        w.Line(1, $"{container.Name}:");
        if (status is not null)
            w.Line(2, $"Container ID:\t{status.ContainerID}");
        w.Line(2, $"Image:\t{container.Image}");
        if (status is not null)
            w.Line(2, $"Image ID:\t{status.ImageID}");
        var ports = string.Join(", ", (container.Ports ?? []).Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Number}/{p.Protocol ?? "TCP"}")));
        var hostPorts = string.Join(", ", (container.Ports ?? []).Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.HostPort ?? 0}/{p.Protocol ?? "TCP"}")));
        w.Line(2, ports.Contains(',', StringComparison.Ordinal) ? $"Ports:\t{ports}" : $"Port:\t{NoneIfEmpty(ports)}");
        w.Line(2, hostPorts.Contains(',', StringComparison.Ordinal) ? $"Host Ports:\t{hostPorts}" : $"Host Port:\t{NoneIfEmpty(hostPorts)}");
        Strings(w, "Command", container.Command);
        Strings(w, "Args", container.Args);
        if (status is not null)
        {
            State(w, "State", status.State);
            if (status.LastState?.Terminated is not null)
                State(w, "Last State", status.LastState);
            w.Line(2, $"Ready:\t{(status.Ready ? "True" : "False")}");
            w.Line(2, string.Create(CultureInfo.InvariantCulture, $"Restart Count:\t{status.RestartCount}"));
        }
        Resources(w, "Limits", container.Resources?.Limits);
        Resources(w, "Requests", container.Resources?.Requests);
        if (container.LivenessProbe is { } liveness)
            w.Line(2, $"Liveness:\t{Probe(liveness)}");
        if (container.ReadinessProbe is { } readiness)
            w.Line(2, $"Readiness:\t{Probe(readiness)}");
        if (container.StartupProbe is { } startup)
            w.Line(2, $"Startup:\t{Probe(startup)}");
        if (container.Env is not { Count: > 0 } env)
        {
            w.Line(2, "Environment:\t<none>");
            return;
        }
        w.Line(2, "Environment:");
        foreach (var e in env)
        {
            if (e.ValueFrom?.FieldRef is { } field)
            {
                w.Line(3, $"{e.Name}:\t{FieldValue(pod, field.FieldPath)} ({field.ApiVersion ?? "v1"}:{field.FieldPath})");
                continue;
            }
            var lines = (e.Value ?? "").Split('\n');
            w.Line(3, $"{e.Name}:\t{lines[0]}");
            foreach (var more in lines.Skip(1))
                w.Line(3, $"\t{more}");
        }
    }

    private static void Strings(DescribeWriter w, string title, IReadOnlyList<string>? values)
    {
        if (values is not { Count: > 0 })
            return;
        w.Line(2, $"{title}:");
        foreach (var line in values.SelectMany(v => v.Split('\n')))
            w.Line(3, line);
    }

    private static void State(DescribeWriter w, string title, ContainerState? state)
    {
        switch (state)
        {
            case { Running: { } running }:
                w.Line(2, $"{title}:\tRunning");
                w.Line(3, $"Started:\t{w.Time(running.StartedAt)}");
                break;
            case { Waiting: { } waiting }:
                w.Line(2, $"{title}:\tWaiting");
                if (!string.IsNullOrEmpty(waiting.Reason))
                    w.Line(3, $"Reason:\t{waiting.Reason}");
                if (!string.IsNullOrEmpty(waiting.Message))
                    w.Line(3, $"Message:\t{waiting.Message}");
                break;
            case { Terminated: { } terminated }:
                w.Line(2, $"{title}:\tTerminated");
                if (!string.IsNullOrEmpty(terminated.Reason))
                    w.Line(3, $"Reason:\t{terminated.Reason}");
                if (!string.IsNullOrEmpty(terminated.Message))
                    w.Line(3, $"Message:\t{terminated.Message}");
                w.Line(3, string.Create(CultureInfo.InvariantCulture, $"Exit Code:\t{terminated.ExitCode}"));
                if (terminated.Signal is > 0 and var signal)
                    w.Line(3, string.Create(CultureInfo.InvariantCulture, $"Signal:\t{signal}"));
                w.Line(3, $"Started:\t{w.Time(terminated.StartedAt)}");
                w.Line(3, $"Finished:\t{w.Time(terminated.FinishedAt)}");
                break;
            default:
                w.Line(2, $"{title}:\tWaiting");
                break;
        }
    }

    private static void Resources(DescribeWriter w, string title, IReadOnlyDictionary<string, Quantity>? resources)
    {
        if (resources is not { Count: > 0 })
            return;
        w.Line(2, $"{title}:");
        foreach (var (name, quantity) in resources.OrderBy(r => r.Key, StringComparer.Ordinal))
            w.Line(3, $"{name}:\t{quantity}");
    }

    /// <summary>kubectl's DescribeProbe, with the API server's defaults for unset fields.</summary>
    internal static string Probe(Probe probe)
    {
        var attrs = string.Create(CultureInfo.InvariantCulture,
            $"delay={probe.InitialDelaySeconds ?? 0}s timeout={probe.TimeoutSeconds ?? 1}s period={probe.PeriodSeconds ?? 10}s #success={probe.SuccessThreshold ?? 1} #failure={probe.FailureThreshold ?? 3}");
        if (probe.Exec is { } exec)
            return $"exec [{string.Join(" ", exec.Command ?? [])}] {attrs}";
        if (probe.HttpGet is { } http)
        {
            var host = http.Host ?? "";
            var port = http.Port.ToString();
            var authority = port.Length == 0 ? host : $"{(host.Contains(':', StringComparison.Ordinal) ? $"[{host}]" : host)}:{port}";
            return $"http-get {(http.Scheme ?? "HTTP").ToLowerInvariant()}://{authority}{http.Path} {attrs}";
        }
        if (probe.TcpSocket is { } tcp)
            return $"tcp-socket {tcp.Host}:{tcp.Port} {attrs}";
        return $"unknown {attrs}";
    }

    /// <summary>kubectl's toleration line: key=value:Effect, op=Exists for operator Exists, and "for Ns".</summary>
    internal static string Toleration(Toleration t)
    {
        var text = t.Key ?? "";
        if (!string.IsNullOrEmpty(t.Value))
            text += $"={t.Value}";
        if (!string.IsNullOrEmpty(t.Effect))
            text += $":{t.Effect}";
        if (t.Operator == "Exists" && string.IsNullOrEmpty(t.Value))
            text += text.Length > 0 ? " op=Exists" : "op=Exists";
        if (t.TolerationSeconds is { } seconds)
            text += string.Create(CultureInfo.InvariantCulture, $" for {seconds}s");
        return text;
    }

    /// <summary>Guaranteed when every container's requests equal its cpu and memory limits, BestEffort without any, else Burstable.</summary>
    internal static string QosClass(Pod pod)
    {
        var containers = pod.Spec.Containers ?? [];
        var any = containers.Any(c => c.Resources?.Requests is { Count: > 0 } || c.Resources?.Limits is { Count: > 0 });
        if (!any)
            return "BestEffort";
        var guaranteed = containers.All(c =>
        {
            var limits = c.Resources?.Limits;
            var requests = c.Resources?.Requests;
            return QosResources.All(r =>
                limits is not null && limits.TryGetValue(r, out var limit)
                && (requests is null || !requests.TryGetValue(r, out var request) || request.Amount == limit.Amount));
        });
        return guaranteed ? "Guaranteed" : "Burstable";
    }

    /// <summary>
    /// The events, plus the scheduler's verdict from the PodScheduled=False condition while its FailedScheduling event
    /// is not there (events are written in the background, so a describe right after the verdict may come first).
    /// </summary>
    private static IReadOnlyList<Event> WithSchedulingVerdict(Pod pod, IReadOnlyList<Event> events)
    {
        var unscheduled = pod.Status?.Conditions?.FirstOrDefault(c => c.Type == "PodScheduled" && c.Status == "False");
        if (unscheduled is null || events.Any(e => e.Reason == "FailedScheduling" && e.Message == unscheduled.Message))
            return events;
        var verdict = new Event
        {
            InvolvedObject = ObjectReference.To(pod),
            Type = Event.Warning,
            Reason = unscheduled.Reason is null or "Unschedulable" ? "FailedScheduling" : unscheduled.Reason,
            Message = unscheduled.Message,
            Source = new EventSource { Component = "default-scheduler" },
            FirstTimestamp = unscheduled.LastTransitionTime,
            LastTimestamp = unscheduled.LastTransitionTime,
            Count = 1,
        };
        return [.. events, verdict];
    }

    private static string FieldValue(Pod pod, string path) => path switch
    {
        "metadata.name" => pod.Metadata.Name ?? "",
        "metadata.namespace" => pod.Metadata.Namespace ?? "",
        "metadata.uid" => pod.Metadata.Uid ?? "",
        "spec.nodeName" => pod.Spec.NodeName ?? "",
        "status.podIP" => pod.Status?.PodIP ?? "",
        "status.hostIP" => pod.Status?.HostIP ?? "",
        _ => "",
    };

    private static string NoneIfEmpty(string value) => value.Length == 0 ? "<none>" : value;
}
