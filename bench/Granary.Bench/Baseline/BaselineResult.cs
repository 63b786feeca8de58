namespace Granary.Bench;

/// <summary>The raw write rates beside which Granary's create rate is read; null for a part that was skipped.</summary>
internal sealed record BaselineResult(int ValueBytes, double? RedisWritesPerSecond, double? EtcdPutsPerSecond)
{
    public static readonly BaselineResult Skipped = new(0, null, null);

    public static async Task<BaselineResult> MeasureAsync(string? redis, int valueBytes, TextWriter output, CancellationToken ct)
    {
        output.WriteLine($"baseline: raw write rates with values of {valueBytes} bytes (a pod object's size)");
        var redisRate = redis is null ? (double?)null : await RedisBaseline.MeasureAsync(redis, valueBytes, output, ct);
        var etcdRate = await EtcdBaseline.MeasureAsync(valueBytes, output, ct);
        return new BaselineResult(valueBytes, redisRate, etcdRate);
    }
}
