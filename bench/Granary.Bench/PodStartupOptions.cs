namespace Granary.Bench;

/// <summary>The command line of the pod-startup benchmark; <see cref="Parse"/> throws <see cref="UsageException"/> on bad input.</summary>
internal sealed record PodStartupOptions : BenchOptions
{
    public const string Command = "pod-startup";

    public const string Usage = """
        Granary pod-startup benchmark: how long a pod takes from its create call to Running on a real Docker
        engine, next to the same containers started through the Engine API directly.

        usage: dotnet run -c Release --project bench/Granary.Bench -- pod-startup [options]

          --pods N               pods to start, and containers in the raw-engine phase (default 50, at most 253)
          --concurrency C        create calls in flight, in both phases (default 8)
          --timeout S            give up when pods are still not Running, or not gone after their deletion,
                                 S seconds after the phase began (default: 120, or 2 s per pod when longer)
          -h, --help             print this text

        It starts, on loopback only and under temporary folders: a private dockerd (overlay2, no bridge,
        no iptables; its socket under /tmp), redis-server and one silo in Redis mode, and one node agent
        (NodeAgent/bin/Release/net10.0/Granary.NodeAgent.dll, built first when missing) with the docker
        driver as node "bench-node". Every container is busybox "sleep 3600" on the host network.
        Everything is stopped with SIGTERM and removed at the end, on Ctrl-C and on failure. Needs root,
        /usr/sbin/dockerd (docker.io), /bin/busybox (busybox-static) and /usr/bin/redis-server.
        """;

    public int Pods { get; init; } = 50;
    public int Concurrency { get; init; } = 8;
    public TimeSpan? Timeout { get; init; }

    public TimeSpan EffectiveTimeout => Timeout ?? TimeSpan.FromSeconds(Math.Max(120, 2.0 * Pods));

    /// <summary>The options after the command name.</summary>
    public static PodStartupOptions Parse(IReadOnlyList<string> args)
    {
        var options = CommandLine.ParseOptions(args, new PodStartupOptions(), (o, name, value) => name switch
        {
            "--pods" => o with { Pods = CommandLine.Positive(name, value()) },
            "--concurrency" => o with { Concurrency = CommandLine.Positive(name, value()) },
            "--timeout" => o with { Timeout = TimeSpan.FromSeconds(CommandLine.Positive(name, value())) },
            _ => null,
        });
        if (options.Pods > LocalAgent.MaxPodAddresses)
            throw new UsageException($"at most {LocalAgent.MaxPodAddresses} pods: the agent gives each pod its own address from {LocalAgent.PodCidr}");
        return options;
    }
}
