using Granary.Client;

// Lists the cluster's nodes, then watches pods in every namespace: each existing pod as ADDED, then every change,
// until Ctrl-C or, with --max-events N, after N events.
// Where the cluster is: GRANARY_GATEWAY=host:port[,host:port] or GRANARY_REDIS=host:port (and GRANARY_CLUSTER_ID);
// with neither, the local dev silo's gateway 127.0.0.1:30000.
int? maxEvents = null;
if (args is ["--max-events", var n] && int.TryParse(n, out var parsed) && parsed > 0)
    maxEvents = parsed;
else if (args.Length > 0)
{
    Console.Error.WriteLine("usage: ListNodesAndWatchPods [--max-events N]   (N > 0; default: watch until Ctrl-C)");
    return 2;
}

using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};

GranaryClient client;
try
{
    client = await GranaryClient.ConnectAsync(GranaryClientOptions.FromEnvironment(), stop.Token);
}
catch (GranaryConnectException e)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 1;
}

await using (client)
{
    var nodes = await client.Nodes.ListAsync(ct: stop.Token);
    Console.WriteLine($"{nodes.Items.Length} node(s):");
    foreach (var node in nodes.Items)
    {
        var ready = node.Status?.Conditions?.FirstOrDefault(c => c.Type == "Ready")?.Status ?? "Unknown";
        Console.WriteLine($"NODE {node.Metadata.Name} Ready={ready}");
    }

    Console.WriteLine("watching pods (Ctrl-C to stop):");
    var seen = 0;
    try
    {
        await foreach (var e in client.Pods.WatchAsync(new WatchOptions(), stop.Token))
        {
            var pod = e.Object;
            Console.WriteLine($"{e.Type.ToString().ToUpperInvariant()} pod {pod.Metadata.Namespace}/{pod.Metadata.Name} phase={pod.Status?.Phase ?? "-"}");
            if (++seen == maxEvents)
                break;
        }
    }
    catch (OperationCanceledException) when (stop.IsCancellationRequested)
    {
        // Ctrl-C.
    }
}
return 0;
