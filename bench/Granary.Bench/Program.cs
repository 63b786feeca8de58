using System.Runtime.InteropServices;
using Granary.Bench;
using Granary.Client;

// Wiring only: parse the command line, run the command, turn its outcome into an exit code.
BenchOptions? options;
string help;
try
{
    options = CommandLine.Parse(args, out help);
}
catch (UsageException e)
{
    Console.Error.WriteLine($"error: {e.Message} (see --help)");
    return 2;
}
if (options is null)
{
    Console.WriteLine(help);
    return 0;
}

using var cancel = new CancellationTokenSource();
void OnSignal(PosixSignalContext context)
{
    // Stop gracefully: each command's finally blocks stop what it started and remove its temp folders.
    context.Cancel = true;
    cancel.Cancel();
}
using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);

try
{
    await (options switch
    {
        ControlPlaneOptions controlPlane => ControlPlaneCommand.RunAsync(controlPlane, Console.Out, cancel.Token),
        PodStartupOptions podStartup => PodStartupCommand.RunAsync(podStartup, Console.Out, cancel.Token),
        KubeApiOptions kubeApi => KubeApiCommand.RunAsync(kubeApi, Console.Out, cancel.Token),
        ProxyOptions proxy => ProxyCommand.RunAsync(proxy, Console.Out, cancel.Token),
        DnsOptions dns => DnsCommand.RunAsync(dns, Console.Out, cancel.Token),
        SoakOptions soak => SoakCommand.RunAsync(soak, Console.Out, cancel.Token),
        HostileOptions hostile => HostileCommand.RunAsync(hostile, Console.Out, cancel.Token),
        DensityOptions density => DensityCommand.RunAsync(density, Console.Out, cancel.Token),
        BaselineOptions baseline => BaselineCommand.RunAsync(baseline, Console.Out, cancel.Token),
        _ => throw new InvalidOperationException($"no command runs {options.GetType().Name}"),
    });
    return 0;
}
catch (OperationCanceledException) when (cancel.IsCancellationRequested)
{
    Console.Error.WriteLine("error: interrupted");
    return 130;
}
catch (Exception e)
{
    // Our own errors already say what happened; anything else (a call timing out, the silo gone) is named by its type.
    Console.Error.WriteLine(e is BenchmarkException or GranaryConnectException ? $"error: {e.Message}" : $"error: {e.GetType().Name}: {e.Message}");
    return 1;
}
