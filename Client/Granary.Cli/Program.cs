using System.Runtime.InteropServices;
using Granary.Cli;
using Granary.Cli.Commands;

// Ctrl-C and SIGTERM cancel the running command (a watch or a followed log ends with exit 0); a second Ctrl-C kills at once.
using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = !cancel.IsCancellationRequested;
    cancel.Cancel();
};
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, signal =>
{
    signal.Cancel = true;
    cancel.Cancel();
});

var app = new CliApp(Console.In, Console.Out, Console.Error, TimeProvider.System, SdkClusterApi.ConnectAsync);
return await app.RunAsync(args, cancel.Token);
