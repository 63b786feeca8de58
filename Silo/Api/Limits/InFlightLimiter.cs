namespace Granary.Silo.Api.Limits;

/// <summary>
/// A small form of kube-apiserver's max-in-flight filter and API Priority and Fairness: caps on the requests being
/// served at once, taken before a request is served and given back when it ends. Everyone but system:masters shares
/// a cap on non-mutating and one on mutating requests (--max-requests-inflight, --max-mutating-requests-inflight),
/// and each such user may hold only so many slots (--max-requests-inflight-per-user), so one flooding client gets
/// 429s while other users are still served. system:masters have a pool of their own (kube's exempt level). A full
/// cap is answered at once (no queue): a 429 with Retry-After, which client-go waits out and retries.
/// </summary>
public sealed class InFlightLimiter(ApiLimitOptions options)
{
    private readonly object _gate = new();
    private readonly Dictionary<string, int> _perUser = new(StringComparer.Ordinal);
    private int _reading;
    private int _mutating;
    private int _masters;

    /// <summary>A slot for one request of <paramref name="user"/>, or null with why there is none.</summary>
    public Slot? TryEnter(string user, bool isMaster, bool mutating, out string refusal)
    {
        lock (_gate)
        {
            if (isMaster)
            {
                if (Full(_masters, options.MaxMastersRequestsInflight))
                {
                    refusal = $"system:masters already have {_masters} requests in flight, the most they may have together (--max-masters-requests-inflight)";
                    return null;
                }
                _masters++;
                refusal = "";
                return new Slot(this, user, isMaster, mutating);
            }
            var mine = _perUser.GetValueOrDefault(user);
            if (Full(mine, options.MaxRequestsInflightPerUser))
            {
                refusal = $"user \"{user}\" already has {mine} requests in flight, the most one user may have (--max-requests-inflight-per-user)";
                return null;
            }
            if (mutating ? Full(_mutating, options.MaxMutatingRequestsInflight) : Full(_reading, options.MaxRequestsInflight))
            {
                refusal = mutating
                    ? $"the server already serves {_mutating} mutating requests, the most it serves at once (--max-mutating-requests-inflight)"
                    : $"the server already serves {_reading} non-mutating requests, the most it serves at once (--max-requests-inflight)";
                return null;
            }
            _perUser[user] = mine + 1;
            if (mutating)
                _mutating++;
            else
                _reading++;
            refusal = "";
            return new Slot(this, user, isMaster, mutating);
        }
    }

    /// <summary>Requests in flight now: of everyone but masters, and of masters (for tests and diagnostics).</summary>
    public (int Reading, int Mutating, int Masters, int Users) InFlight()
    {
        lock (_gate)
            return (_reading, _mutating, _masters, _perUser.Count);
    }

    private static bool Full(int count, int limit) => limit > 0 && count >= limit;

    private void Leave(string user, bool isMaster, bool mutating)
    {
        lock (_gate)
        {
            if (isMaster)
            {
                _masters--;
                return;
            }
            // A user with nothing in flight is forgotten, so the table stays as small as the users being served.
            var left = _perUser[user] - 1;
            if (left == 0)
                _perUser.Remove(user);
            else
                _perUser[user] = left;
            if (mutating)
                _mutating--;
            else
                _reading--;
        }
    }

    /// <summary>A request's place in flight; disposing it (once) gives the place back.</summary>
    public sealed class Slot(InFlightLimiter limiter, string user, bool isMaster, bool mutating) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
                limiter.Leave(user, isMaster, mutating);
        }
    }
}
