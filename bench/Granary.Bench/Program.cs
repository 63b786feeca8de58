using System.Runtime.InteropServices;
using Granary.Bench;
using Granary.Client;

// Wiring only: parse the command line, start a private cluster when none was given, run, print, clean up.
BenchOptions? options;
try
{
    options = BenchOptions.Parse(args);
}
catch (UsageException e)
{
    Console.Error.WriteLine($"error: {e.Message} (see --help)");
    return 2;
}
if (options is null)
{
    Console.WriteLine(BenchOptions.Usage);
    return 0;
}

using var cancel = new CancellationTokenSource();
void OnSignal(PosixSignalContext context)
{
    // Stop gracefully: the finally blocks below stop the silo and redis-server and remove the temp folder.
    context.Cancel = true;
    cancel.Cancel();
}
using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);

var output = Console.Out;
LocalCluster? cluster = null;
try
{
    output.WriteLine($"control-plane benchmark: {options.Nodes} nodes, {options.Pods} pods, {options.Concurrency} in flight; {Environment.ProcessorCount} cores, load {ProcessHelpers.LoadAverage()}");
    if (options.StartsOwnCluster)
        cluster = await LocalCluster.StartAsync(ProcessHelpers.FindRepoRoot(), options.ClusterId ?? $"bench-{Guid.NewGuid():N}"[..14], output, cancel.Token);

    var clientOptions = cluster is not null
        ? new GranaryClientOptions { Gateways = [cluster.Gateway], ClusterId = cluster.ClusterId }
        : new GranaryClientOptions { Redis = options.Redis, Gateways = options.Gateway is null ? [] : [options.Gateway], ClusterId = options.ClusterId ?? "granary" };
    ControlPlaneResult result;
    await using (var client = await GranaryClient.ConnectAsync(clientOptions, cancel.Token))
        result = await new ControlPlaneBenchmark(client, options, output).RunAsync(cancel.Token);

    if (cluster is not null)
        result = result with { SiloPeakRssBytes = ProcessHelpers.PeakRssBytes(cluster.Silo.Pid), SiloLog = cluster.Silo.Problems.ToString() };
    result.Print(output);
    return 0;
}
catch (OperationCanceledException) when (cancel.IsCancellationRequested)
{
    Console.Error.WriteLine("error: interrupted");
    return 130;
}
catch (Exception e)
{
    if (cluster is not null)
        Console.Error.WriteLine(cluster.Silo.HasExited ? cluster.Silo.FormatTail() : $"silo log while ready: {cluster.Silo.Problems}");
    // Our own errors already say what happened; anything else (a call timing out, the silo gone) is named by its type.
    Console.Error.WriteLine(e is BenchmarkException or GranaryConnectException ? $"error: {e.Message}" : $"error: {e.GetType().Name}: {e.Message}");
    return 1;
}
finally
{
    if (cluster is not null)
        await cluster.DisposeAsync();
}
