using Granary.Api;
using Granary.Errors;
using Granary.Events;
using Granary.Model;
using Microsoft.Extensions.Logging;

namespace Granary.Grains.Events;

/// <summary>
/// Writes a silo's recorded events through their event grains, in parallel. An event the grains refuse (invalid, its
/// namespace gone or terminating) is logged and skipped, since trying again cannot help; any other failure fails the
/// batch, which the broadcaster tries again.
/// </summary>
public sealed partial class GrainEventSink(IGrainFactory grains, ILogger<GrainEventSink> logger) : IEventSink
{
    private const int Parallelism = 16;

    public async Task WriteAsync(IReadOnlyList<Event> events, CancellationToken ct)
    {
        Exception? transient = null;
        await Parallel.ForEachAsync(events, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = ct }, async (e, _) =>
        {
            try
            {
                await grains.GetGrain<IEventGrain>($"{e.Metadata.Namespace}/{e.Metadata.Name}").RecordAsync(e);
            }
            catch (GranaryException refused)
            {
                LogRefused(logger, e.Metadata.Namespace ?? "", e.Metadata.Name ?? "", e.Reason ?? "", refused.Message);
            }
            catch (Exception failure) when (failure is OrleansException or TimeoutException)
            {
                transient = failure;
            }
        });
        if (transient is not null)
            throw transient;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Event {Namespace}/{Name} ({Reason}) was refused: {Why}")]
    private static partial void LogRefused(ILogger logger, string @namespace, string name, string reason, string why);
}
