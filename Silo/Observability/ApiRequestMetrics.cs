using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using Granary.Grains.Security;
using Granary.Silo.Api.Limits;

namespace Granary.Silo.Observability;

/// <summary>
/// kube-apiserver's request metrics under its names: <c>apiserver_request_total{verb,resource,subresource,scope,code}</c>,
/// <c>apiserver_request_duration_seconds{verb,resource,subresource,scope}</c> (kube's buckets),
/// <c>apiserver_longrunning_requests{verb,resource,subresource,scope}</c> (open watches, exec, attach, port-forward,
/// proxy and followed logs) and <c>apiserver_current_inflight_requests{request_kind}</c> (the in-flight limiter's
/// counts). A request is labelled from the attributes the authorization step resolved, so those refused before it
/// (401, 429) are not counted, while 403s are, as in kube. The instruments are made once and every tag is a struct of existing
/// strings, so measuring a request allocates nothing beyond what OpenTelemetry itself does.
/// </summary>
internal sealed class ApiRequestMetrics : IDisposable
{
    public const string MeterName = "Granary.Apiserver";

    // kube-apiserver's buckets for apiserver_request_duration_seconds.
    private static readonly double[] DurationBuckets =
        [0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1.0, 1.25, 1.5, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 45, 60];

    private static readonly string[] Codes = [.. Enumerable.Range(0, 600).Select(c => c.ToString(CultureInfo.InvariantCulture))];

    private readonly Meter _meter;
    private readonly Counter<long> _total;
    private readonly Histogram<double> _duration;
    private readonly UpDownCounter<long> _longRunning;

    public ApiRequestMetrics(IMeterFactory meters, InFlightLimiter limiter)
    {
        _meter = meters.Create(MeterName);
        _total = _meter.CreateCounter<long>("apiserver_request_total", null,
            "Counter of apiserver requests broken out for each verb, resource, subresource, scope and HTTP response code.");
        _duration = _meter.CreateHistogram<double>("apiserver_request_duration_seconds", "s",
            "Response latency distribution in seconds for each verb, resource, subresource and scope.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
        _longRunning = _meter.CreateUpDownCounter<long>("apiserver_longrunning_requests", null,
            "Gauge of all active long-running apiserver requests broken out by verb, resource, subresource and scope.");
        _meter.CreateObservableGauge<int>("apiserver_current_inflight_requests", () =>
        {
            var (reading, mutating, _, _) = limiter.InFlight();
            return [new Measurement<int>(reading, new KeyValuePair<string, object?>("request_kind", "readOnly")),
                new Measurement<int>(mutating, new KeyValuePair<string, object?>("request_kind", "mutating"))];
        }, null, "Maximal number of currently used inflight request limit of this apiserver per request kind in last second.");
    }

    /// <summary>
    /// Counts and times one request, outside the error handler so the code is the one the client got. Only requests
    /// that reached the authorization step are measured: it leaves what it resolved in the request's features.
    /// </summary>
    public async Task MeasureAsync(HttpContext context, Func<Task> next)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            await next();
        }
        finally
        {
            if (context.Features.Get<AuthorizationAttributes>() is { } request)
            {
                var tags = Tags(context, request);
                _duration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, tags);
                var code = context.Response.StatusCode;
                tags.Add("code", (uint)code < Codes.Length ? Codes[code] : "other");
                _total.Add(1, tags);
            }
        }
    }

    /// <summary>Counts an authorized long-running request (a watch, a stream, a followed log) while it is open.</summary>
    public async Task TrackLongRunningAsync(HttpContext context, Func<Task> next)
    {
        if (context.Features.Get<AuthorizationAttributes>() is not { } request || !ApiRequestLabels.IsLongRunning(request, context.Request))
        {
            await next();
            return;
        }
        var tags = Tags(context, request);
        _longRunning.Add(1, tags);
        try
        {
            await next();
        }
        finally
        {
            _longRunning.Add(-1, tags);
        }
    }

    private static TagList Tags(HttpContext context, AuthorizationAttributes request) => new()
    {
        { "verb", ApiRequestLabels.Verb(request, context.Request) },
        { "resource", ApiRequestLabels.Resource(request) },
        { "subresource", ApiRequestLabels.Subresource(request) },
        { "scope", ApiRequestLabels.Scope(request) },
    };

    public void Dispose() => _meter.Dispose();
}
