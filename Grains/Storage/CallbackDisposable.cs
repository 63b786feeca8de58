namespace Granary.Grains.Storage;

/// <summary>Runs an action once when disposed (unsubscribe handles).</summary>
internal sealed class CallbackDisposable(Action dispose) : IDisposable
{
    private Action? _dispose = dispose;

    public void Dispose() => Interlocked.Exchange(ref _dispose, null)?.Invoke();
}
