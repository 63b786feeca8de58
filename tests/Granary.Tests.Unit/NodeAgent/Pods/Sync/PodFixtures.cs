using System.Collections.Immutable;
using System.Globalization;
using Granary.Model;
using Granary.NodeAgent.Pods;
using Granary.NodeAgent.Pods.Sync;
using Granary.NodeAgent.Probes;
using Granary.NodeAgent.Runtime;

namespace Granary.Tests.Unit.NodeAgent.Pods.Sync;

/// <summary>Pods, engine instances and planner inputs for the planner's tables, written short.</summary>
internal static class PodFixtures
{
    public static readonly DateTimeOffset T0 = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);
    public const string Uid = "0b6f5a7e-1111-2222-3333-444455556666";
    public const string Image = "local/busybox:1";

    public static Container Web(string? pullPolicy = null, string image = Image) =>
        new() { Name = "web", Image = image, Command = ["sleep", "3600"], ImagePullPolicy = pullPolicy };

    public static Pod PodOf(string restartPolicy = "Always", params Container[] containers) => new()
    {
        Metadata = new ObjectMeta { Name = "web-0", Namespace = "shop", Uid = Uid, ResourceVersion = "7" },
        Spec = new PodSpec { RestartPolicy = restartPolicy, Containers = containers.Length == 0 ? [Web()] : [.. containers] },
    };

    /// <summary>An engine instance of <paramref name="spec"/>; <paramref name="hashOf"/> is the spec it was created from (default: the same).</summary>
    public static ContainerInfo Instance(Container spec, int attempt, ContainerRunState state, int? exitCode = null,
        DateTimeOffset? startedAt = null, DateTimeOffset? finishedAt = null, Container? hashOf = null) => new()
    {
        Id = $"{spec.Name}-{attempt}",
        Name = $"granary_shop_web-0_{spec.Name}_0b6f5a7e_{attempt}",
        Image = spec.Image ?? "",
        Labels = new Dictionary<string, string>
        {
            [ContainerLabels.PodUid] = Uid,
            [ContainerLabels.Container] = spec.Name,
            [ContainerLabels.Attempt] = attempt.ToString(CultureInfo.InvariantCulture),
            [ContainerLabels.SpecHash] = ContainerNaming.SpecHash(hashOf ?? spec),
        },
        State = state,
        ExitCode = exitCode,
        StartedAt = startedAt ?? (state is ContainerRunState.Running or ContainerRunState.Exited ? T0 - TimeSpan.FromMinutes(1) : null),
        FinishedAt = finishedAt ?? (state == ContainerRunState.Exited ? T0 - TimeSpan.FromSeconds(1) : null),
    };

    public static ContainerProbeStatus Probe(ContainerInfo c, bool live = true, bool ready = true, bool started = true, string? failure = null) =>
        new(Uid, ContainerNaming.Label(c, ContainerLabels.Container)!, c.Id, started, ready, live, failure);

    public static PodSyncInput Input(Pod pod, IReadOnlyList<ContainerInfo>? containers = null, PodMemory? memory = null,
        IReadOnlyList<ContainerProbeStatus>? probes = null, IReadOnlyList<string>? present = null, DateTimeOffset? now = null) => new(
        pod,
        containers ?? [],
        memory ?? PodMemory.Empty,
        (probes ?? []).ToDictionary(p => p.ContainerId),
        (present ?? [Image]).ToImmutableHashSet(),
        now ?? T0);

    /// <summary>The plan's actions as short words, for exact table assertions.</summary>
    public static string[] Describe(PodPlan plan) => [.. plan.Actions.Select(Describe)];

    public static string Describe(PodAction action) => action switch
    {
        StartContainer s => $"start {s.Spec.Name}#{s.Attempt}{(s.Pull ? " pull" : "")}{(s.Replacing is { } r ? " after " + r.Id : "")}",
        StartCreated s => $"start-created {s.Instance.Id}",
        KillContainer k => $"kill {k.Instance.Id} {k.Reason}",
        RemoveContainer r => $"remove {r.Instance.Id}",
        TerminatePod t => $"terminate {string.Join(',', t.Instances.Select(i => i.Id))}",
        ReportEvent e => $"report {e.Spec.Name} {e.Event} {e.Token}",
        _ => action.ToString(),
    };
}
