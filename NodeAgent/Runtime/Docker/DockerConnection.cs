using Docker.DotNet;

namespace Granary.NodeAgent.Runtime.Docker;

/// <summary>
/// One engine endpoint: asks <c>/version</c> once, then pins the API version for every later call, and runs each
/// call under a deadline so nothing hangs on a wedged engine. Failures come out as <see cref="RuntimeException"/>.
/// </summary>
internal sealed class DockerConnection(Uri endpoint, TimeSpan callTimeout) : IDisposable
{
    /// <summary>The Engine API version this driver's calls were written and tested against (Docker 20.10).</summary>
    public static readonly System.Version CodedApiVersion = new(1, 41);

    private readonly SemaphoreSlim _gate = new(1, 1);
    private DockerClient? _client;

    public Uri Endpoint => endpoint;

    public TimeSpan CallTimeout => callTimeout;

    /// <summary>The API version pinned after the first call (null before it).</summary>
    public System.Version? ApiVersion { get; private set; }

    /// <summary>
    /// The version to speak: ours, or the engine's maximum when it is older, or the engine's minimum when it
    /// no longer accepts ours (Docker 25 and later raised their minimum). Neither side negotiates by itself.
    /// </summary>
    public static System.Version ChooseApiVersion(string? engineMax, string? engineMin)
    {
        var pinned = System.Version.TryParse(engineMax, out var max) && max < CodedApiVersion ? max : CodedApiVersion;
        return System.Version.TryParse(engineMin, out var min) && pinned < min ? min : pinned;
    }

    /// <summary>Runs one call with a deadline (<paramref name="timeout"/>, or the default call timeout).</summary>
    public async Task<T> CallAsync<T>(string operation, Func<DockerClient, CancellationToken, Task<T>> call, CancellationToken ct, TimeSpan? timeout = null)
    {
        var limit = timeout ?? callTimeout;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(limit);
        try
        {
            var client = await ClientAsync(deadline.Token);
            return await call(client, deadline.Token);
        }
        catch (Exception e) when (e is not RuntimeException)
        {
            throw Classify(e, operation, limit, deadline, ct);
        }
    }

    public Task CallAsync(string operation, Func<DockerClient, CancellationToken, Task> call, CancellationToken ct, TimeSpan? timeout = null) =>
        CallAsync<bool>(operation, async (client, token) =>
        {
            await call(client, token);
            return true;
        }, ct, timeout);

    /// <summary>
    /// Runs a call that lasts as long as <paramref name="ct"/> allows (a followed stream): only reaching the engine
    /// has the default deadline.
    /// </summary>
    public async Task StreamAsync(string operation, Func<DockerClient, CancellationToken, Task> follow, CancellationToken ct)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(callTimeout);
        try
        {
            var client = await ClientAsync(deadline.Token);
            deadline.CancelAfter(Timeout.InfiniteTimeSpan);
            await follow(client, ct);
        }
        catch (Exception e) when (e is not RuntimeException)
        {
            throw Classify(e, operation, callTimeout, deadline, ct);
        }
    }

    /// <summary>
    /// Turns a failure into the caller's cancellation, a timeout (our deadline fired), or the engine's error.
    /// A cancelled socket read can surface as an IOException, so the tokens decide, not the exception type.
    /// </summary>
    public Exception Classify(Exception error, string operation, TimeSpan limit, CancellationTokenSource deadline, CancellationToken ct)
    {
        if (ct.IsCancellationRequested)
            return error as OperationCanceledException ?? new OperationCanceledException($"docker {operation} was cancelled", error, ct);
        if (deadline.IsCancellationRequested)
            return DockerErrors.Timeout(endpoint, operation, limit, error);
        return DockerErrors.Classify(error, endpoint, operation);
    }

    private async Task<DockerClient> ClientAsync(CancellationToken ct)
    {
        if (Volatile.Read(ref _client) is { } ready)
            return ready;
        await _gate.WaitAsync(ct);
        try
        {
            if (_client is not null)
                return _client;
            // Un-versioned paths: the engine answers /version at its own maximum, whatever that is.
            using var probe = NewClient(requestedApiVersion: null);
            var version = await probe.System.GetVersionAsync(ct);
            var pinned = ChooseApiVersion(version.APIVersion, version.MinAPIVersion);
            var client = NewClient(pinned);
            ApiVersion = pinned;
            Volatile.Write(ref _client, client);
            return client;
        }
        finally
        {
            _gate.Release();
        }
    }

    // Our own deadlines govern; the library's default (100 s) would only be a second, longer one.
    // The client owns its configuration: DockerClient.Dispose disposes it.
#pragma warning disable CA2000
    private DockerClient NewClient(Version? requestedApiVersion) =>
        new DockerClientConfiguration(endpoint, defaultTimeout: callTimeout).CreateClient(requestedApiVersion);
#pragma warning restore CA2000

    public void Dispose()
    {
        _client?.Dispose();
        _gate.Dispose();
    }
}
