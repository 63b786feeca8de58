using System.Globalization;
using Granary.Model;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace Granary.Grains.Storage;

/// <summary>
/// The production store. Per kind, three keys share one hash slot (so the scheme also works on Redis Cluster):
/// <c>{prefix/kind}:objects</c> (hash: key → "revision|json"), <c>{prefix/kind}:rev</c> (the kind's revision)
/// and <c>{prefix/kind}:events</c> (a stream whose entry ids are "revision-0"). Every write is one Lua script,
/// so an object, its revision and its event can never be stored apart. A pub/sub message after each write
/// wakes the silos' watch caches; it is only a hint, the stream is the truth. A fourth key, <c>{prefix/kind}:epoch</c>,
/// tells a Redis that lost its data from one that did not (<see cref="StoreEpochs"/>).
/// </summary>
public sealed class RedisObjectStore(IConnectionMultiplexer redis, StoreOptions options, ILogger<RedisObjectStore>? logger = null) : IObjectStore
{
    // Every script first makes sure the kind's epoch key exists (see StoreEpochs) and returns it last.
    private const string EnsureEpoch = """
        local epoch = redis.call('GET', KEYS[4])
        if not epoch then
          epoch = ARGV[#ARGV]
          redis.call('SET', KEYS[4], epoch)
        end
        """;

    // Results: {revision, epoch} on success, {-1, epoch} exists, {-2, epoch} not found, {-3, epoch} conflict.
    private const string WriteScript = EnsureEpoch + "\n" + """
        local op = ARGV[1]
        local cur = redis.call('HGET', KEYS[1], ARGV[2])
        if op == 'A' then
          if cur then return {-1, epoch} end
        else
          if not cur then return {-2, epoch} end
          local sep = string.find(cur, '|', 1, true)
          if tonumber(string.sub(cur, 1, sep - 1)) ~= tonumber(ARGV[4]) then return {-3, epoch} end
        end
        local rv = redis.call('INCR', KEYS[2])
        if op == 'D' then
          redis.call('HDEL', KEYS[1], ARGV[2])
        else
          redis.call('HSET', KEYS[1], ARGV[2], rv .. '|' .. ARGV[3])
        end
        redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[5], rv .. '-0', 't', op, 'k', ARGV[2], 'o', ARGV[3])
        redis.call('PUBLISH', ARGV[6], rv)
        return {rv, epoch}
        """;

    private const string SnapshotScript = EnsureEpoch + "\n" + """
        return {redis.call('GET', KEYS[2]) or '0', redis.call('HGETALL', KEYS[1]), epoch}
        """;

    private const string ReadEventsScript = EnsureEpoch + "\n" + """
        return {redis.call('GET', KEYS[2]) or '0', redis.call('XRANGE', KEYS[3], ARGV[1], '+', 'COUNT', ARGV[2]), epoch}
        """;

    private const string PositionScript = EnsureEpoch + "\n" + """
        return {redis.call('GET', KEYS[2]) or '0', epoch}
        """;

    // After a loss: revisions jump past every one handed out before (ARGV[1]); a rollback also rotates the epoch
    // (ARGV[2] = '1') so that every other silo notices.
    private const string RepairScript = """
        local rv = tonumber(redis.call('GET', KEYS[2]) or '0')
        if rv < tonumber(ARGV[1]) then redis.call('SET', KEYS[2], ARGV[1]) end
        if ARGV[2] == '1' or not redis.call('GET', KEYS[4]) then redis.call('SET', KEYS[4], ARGV[3]) end
        return redis.call('GET', KEYS[4])
        """;

    private readonly StoreEpochs _epochs = new(logger ?? (ILogger)NullLogger.Instance);

    private IDatabase Db => redis.GetDatabase();

    private RedisKey[] KeysOf(ResourceKind kind)
    {
        var tag = $"{{{options.KeyPrefix}/{kind.Plural}}}";
        return [tag + ":objects", tag + ":rev", tag + ":events", tag + ":epoch"];
    }

    private RedisChannel ChannelOf(ResourceKind kind) => RedisChannel.Literal($"{options.KeyPrefix}/{kind.Plural}:changed");

    public Task<long> CreateAsync(ResourceKind kind, string key, string json) => WriteAsync(kind, "A", key, json, 0);

    public Task<long> UpdateAsync(ResourceKind kind, string key, string json, long expectedRevision) =>
        WriteAsync(kind, "M", key, json, expectedRevision);

    public Task<long> DeleteAsync(ResourceKind kind, string key, string finalJson, long expectedRevision) =>
        WriteAsync(kind, "D", key, finalJson, expectedRevision);

    private async Task<long> WriteAsync(ResourceKind kind, string op, string key, string json, long expected)
    {
        var result = (RedisResult[])(await Db.ScriptEvaluateAsync(WriteScript, KeysOf(kind),
            [op, key, json, expected, options.EventHistory, ChannelOf(kind).ToString(), StoreEpochs.NewEpoch()]))!;
        var rv = (long)result[0];
        await ObserveAsync(kind, result[1], Math.Max(rv, 0));
        return rv switch
        {
            -1 => throw StoreErrors.AlreadyExists(kind, key),
            -2 => throw StoreErrors.NotFound(kind, key),
            -3 => throw StoreErrors.Conflict(kind, key),
            _ => rv,
        };
    }

    public async Task<StoredObject?> GetAsync(ResourceKind kind, string key)
    {
        var value = await Db.HashGetAsync(KeysOf(kind)[0], key);
        return value.IsNull ? null : Parse(value!);
    }

    public async Task<StoreSnapshot> ListAsync(ResourceKind kind)
    {
        var result = (RedisResult[])(await Db.ScriptEvaluateAsync(SnapshotScript, KeysOf(kind), [StoreEpochs.NewEpoch()]))!;
        var revision = long.Parse((string)result[0]!, CultureInfo.InvariantCulture);
        await ObserveAsync(kind, result[2], revision);
        var pairs = (RedisResult[])result[1]!;
        var objects = new List<KeyValuePair<string, StoredObject>>(pairs.Length / 2);
        for (var i = 0; i + 1 < pairs.Length; i += 2)
            objects.Add(new((string)pairs[i]!, Parse((string)pairs[i + 1]!)));
        return new StoreSnapshot(revision, objects);
    }

    public async Task<long> GetRevisionAsync(ResourceKind kind)
    {
        var result = (RedisResult[])(await Db.ScriptEvaluateAsync(PositionScript, KeysOf(kind), [StoreEpochs.NewEpoch()]))!;
        var revision = long.Parse((string)result[0]!, CultureInfo.InvariantCulture);
        await ObserveAsync(kind, result[1], revision);
        return revision;
    }

    public async Task<IReadOnlyList<StoredEvent>> ReadEventsAsync(ResourceKind kind, long afterRevision, int max)
    {
        var generation = Generation(kind);
        var result = (RedisResult[])(await Db.ScriptEvaluateAsync(ReadEventsScript, KeysOf(kind), [$"{afterRevision + 1}-0", max, StoreEpochs.NewEpoch()]))!;
        var revision = long.Parse((string)result[0]!, CultureInfo.InvariantCulture);
        await ObserveAsync(kind, result[2], revision);
        // The reader's position came from this store, so a store behind it went back in time.
        if (afterRevision > revision && generation == Generation(kind))
            await _epochs.WentBackwardsAsync(kind, afterRevision, revision, (floor, rotate) => RepairAsync(kind, floor, rotate));
        if (afterRevision >= revision || generation != Generation(kind))
            return [];
        var entries = (RedisResult[])result[1]!;
        var events = new List<StoredEvent>(entries.Length);
        foreach (var item in entries)
        {
            var entry = (RedisResult[])item!;
            var id = (string)entry[0]!;
            var fields = (RedisResult[])entry[1]!;
            string? op = null, key = null, json = null;
            for (var i = 0; i + 1 < fields.Length; i += 2)
            {
                switch ((string)fields[i]!)
                {
                    case "t": op = (string)fields[i + 1]!; break;
                    case "k": key = (string)fields[i + 1]!; break;
                    case "o": json = (string)fields[i + 1]!; break;
                }
            }
            var rv = long.Parse(id[..id.IndexOf('-', StringComparison.Ordinal)], CultureInfo.InvariantCulture);
            events.Add(new StoredEvent(rv, op switch { "A" => StoredEventType.Added, "D" => StoredEventType.Deleted, _ => StoredEventType.Modified }, key!, json!));
        }
        // Revisions are dense per kind, so a missing first event means the stream was trimmed past it.
        if (events.Count == 0 || events[0].Revision != afterRevision + 1)
            throw StoreErrors.Expired(kind, afterRevision, events.Count == 0 ? revision : events[0].Revision - 1);
        return events;
    }

    public IDisposable SubscribeChanges(ResourceKind kind, Action onChange)
    {
        var channel = ChannelOf(kind);
        var subscriber = redis.GetSubscriber();
        Action<RedisChannel, RedisValue> handler = (_, _) => onChange();
        subscriber.Subscribe(channel, handler);
        return new CallbackDisposable(() => subscriber.Unsubscribe(channel, handler));
    }

    public int Generation(ResourceKind kind) => _epochs.Generation(kind);

    public event Action<ResourceKind>? DataLost
    {
        add => _epochs.DataLost += value;
        remove => _epochs.DataLost -= value;
    }

    private Task ObserveAsync(ResourceKind kind, RedisResult epoch, long revision) =>
        _epochs.ObserveAsync(kind, (string)epoch!, revision, (floor, rotate) => RepairAsync(kind, floor, rotate));

    private async Task<string> RepairAsync(ResourceKind kind, long floor, bool rotate) =>
        (string)(await Db.ScriptEvaluateAsync(RepairScript, KeysOf(kind), [floor, rotate ? "1" : "0", StoreEpochs.NewEpoch()]))!;

    private static StoredObject Parse(string value)
    {
        var sep = value.IndexOf('|', StringComparison.Ordinal);
        return new StoredObject(long.Parse(value.AsSpan(0, sep), CultureInfo.InvariantCulture), value[(sep + 1)..]);
    }
}
