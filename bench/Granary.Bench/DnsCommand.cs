namespace Granary.Bench;

/// <summary>The dns command's wiring: run the in-process server and clients, print.</summary>
internal static class DnsCommand
{
    public static async Task RunAsync(DnsOptions options, TextWriter output, CancellationToken ct)
    {
        output.WriteLine($"dns benchmark: {options.Services} services, {options.Clients} UDP clients, {options.Queries} queries; " +
            $"{Environment.ProcessorCount} cores, load {ProcessHelpers.LoadAverage()}");
        var result = await new DnsBenchmark(options, output).RunAsync(ct);
        result.Print(output);
    }
}
