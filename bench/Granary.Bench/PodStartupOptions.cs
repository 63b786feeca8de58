namespace Granary.Bench;

/// <summary>The command line of the pod-startup benchmark; <see cref="Parse"/> throws <see cref="UsageException"/> on bad input.</summary>
internal sealed record PodStartupOptions : BenchOptions
{
    public const string Command = "pod-startup";

    public const string Usage = """
        Granary pod-startup benchmark: how long a pod takes from its create call to Running on a real Docker
        engine, next to the same containers started through the Engine API directly.

        usage: dotnet run -c Release --project bench/Granary.Bench -- pod-startup [options]

          --one-at-a-time K      containers, then pods, started one at a time, each after the last is running,
                                 alternating engine and Granary (default 20; 0 leaves the phase out)
          --pods N               the burst: pods to start at once, and containers in its raw-engine phase
                                 (default 50, at most 253)
          --concurrency C        create calls in flight, in both halves of the burst (default 8)
          --churn M              afterwards, M more pods come and go in rounds of N (created, Running, deleted,
                                 gone), then the agent's memory is read again (default 0: left out)
          --agent PATH           the agent's dll (default NodeAgent/bin/Release/net10.0/Granary.NodeAgent.dll),
                                 to compare two builds in runs taken back to back
          --timeout S            give up when pods are still not Running, or not gone after their deletion,
                                 S seconds after the phase began (default: 120, or 2 s per pod when longer)
          -h, --help             print this text

        It starts, on loopback only and under temporary folders: a private dockerd (overlay2, no bridge,
        no iptables; its socket under /tmp), redis-server and one silo in Redis mode, and one node agent
        (NodeAgent/bin/Release/net10.0/Granary.NodeAgent.dll, built first when missing) with the docker
        driver as node "bench-node". Every container is busybox "sleep 3600" on the host network.
        dockerd runs with --debug, so that the Engine API calls the agent makes per pod can be counted.
        The run ends with one line "summary {json}" of the figures the goals compare.
        Everything is stopped with SIGTERM and removed at the end, on Ctrl-C and on failure. Needs root,
        /usr/sbin/dockerd (docker.io), /bin/busybox (busybox-static) and /usr/bin/redis-server.
        """;

    public int OneAtATime { get; init; } = 20;
    public int Pods { get; init; } = 50;
    public int Churn { get; init; }
    public string? AgentDll { get; init; }
    public int Concurrency { get; init; } = 8;
    public TimeSpan? Timeout { get; init; }

    public TimeSpan EffectiveTimeout => Timeout ?? TimeSpan.FromSeconds(Math.Max(120, 2.0 * Pods));

    /// <summary>The options after the command name.</summary>
    public static PodStartupOptions Parse(IReadOnlyList<string> args)
    {
        var options = CommandLine.ParseOptions(args, new PodStartupOptions(), (o, name, value) => name switch
        {
            "--one-at-a-time" => o with { OneAtATime = CommandLine.NonNegative(name, value()) },
            "--pods" => o with { Pods = CommandLine.Positive(name, value()) },
            "--churn" => o with { Churn = CommandLine.NonNegative(name, value()) },
            "--agent" => o with { AgentDll = Path.GetFullPath(value()) },
            "--concurrency" => o with { Concurrency = CommandLine.Positive(name, value()) },
            "--timeout" => o with { Timeout = TimeSpan.FromSeconds(CommandLine.Positive(name, value())) },
            _ => null,
        });
        if (options.Pods > LocalAgent.MaxPodAddresses)
            throw new UsageException($"at most {LocalAgent.MaxPodAddresses} pods: the agent gives each pod its own address from {LocalAgent.PodCidr}");
        if (options.OneAtATime > LocalAgent.MaxPodAddresses)
            throw new UsageException($"at most {LocalAgent.MaxPodAddresses} pods one at a time: the agent gives each pod its own address from {LocalAgent.PodCidr}");
        if (options.AgentDll is { } dll && !File.Exists(dll))
            throw new UsageException($"--agent {dll}: no such file; build the agent (dotnet build NodeAgent -c Release) and pass its Granary.NodeAgent.dll");
        return options;
    }
}
