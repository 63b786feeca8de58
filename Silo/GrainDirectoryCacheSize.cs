using System.Diagnostics.Metrics;

namespace Granary.Silo;

/// <summary>
/// How many entries this silo's grain directory cache holds now, for /metrics. Orleans publishes the count only as an
/// observable gauge of its meter; this listener enables that one instrument and asks it on demand (the gauge counts the
/// cache's entries, so each read walks the cache once: fine for a scrape, not for a hot path).
/// </summary>
internal sealed class GrainDirectoryCacheSize : IDisposable
{
    // Orleans' InstrumentNames.DIRECTORY_CACHE_SIZE on its meter "Microsoft.Orleans" (internal in Orleans, hence here).
    private const string MeterName = "Microsoft.Orleans";
    private const string InstrumentName = "orleans-directory-cache-size";

    private readonly MeterListener _listener = new();
    private readonly object _gate = new();
    private long _observed;
    private bool _seen;

    public GrainDirectoryCacheSize()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == MeterName && instrument.Name == InstrumentName)
                listener.EnableMeasurementEvents(instrument);
        };
        // Called back on the thread that asks, inside RecordObservableInstruments, so under the lock of Entries.
        _listener.SetMeasurementEventCallback<int>((_, value, _, _) => (_observed, _seen) = (_observed + value, true));
        _listener.Start();
    }

    /// <summary>The entries now, or null when Orleans has not published the gauge (no directory cache on this silo).</summary>
    public long? Entries()
    {
        lock (_gate)
        {
            (_observed, _seen) = (0, false);
            _listener.RecordObservableInstruments();
            return _seen ? _observed : null;
        }
    }

    public void Dispose() => _listener.Dispose();
}
