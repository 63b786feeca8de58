using Granary.Api;
using Granary.Errors;
using Granary.Events;
using Granary.Model;

namespace Granary.Grains.Workloads;

/// <summary>
/// How a pod controller creates and deletes its pods (kube's PodControl with slowStartBatch), recording the events
/// kube's controllers record on the owner: SuccessfulCreate, FailedCreate, SuccessfulDelete.
/// </summary>
public sealed class ControllerPods(IGrainFactory grains, IEventRecorder events, IResource owner)
{
    private const int NameAttempts = 4;

    private string Namespace => owner.Metadata.Namespace!;

    /// <summary>
    /// Creates <paramref name="count"/> pods in batches of 1, 2, 4, …, stopping after the first batch with a failure.
    /// Pod i is named from <paramref name="generateName"/>(i) plus 5 random characters (drawn again when taken) and
    /// built by <paramref name="make"/>(i, name). Returns the failures' messages (none when all were created).
    /// </summary>
    public async Task<IReadOnlyList<string>> CreateAsync(int count, Func<int, string> generateName, Func<int, string, Pod> make)
    {
        var created = 0;
        for (var batch = 1; created < count; batch = Math.Min(batch * 2, count - created))
        {
            batch = Math.Min(batch, count - created);
            var results = await Task.WhenAll(Enumerable.Range(created, batch).Select(i => CreateOneAsync(generateName(i), i, make)));
            created += batch;
            var failures = results.OfType<string>().ToList();
            if (failures.Count > 0)
                return failures;
        }
        return [];
    }

    /// <summary>Deletes each pod if it still has its uid; gone or replaced already is what was wanted.</summary>
    public Task DeleteAsync(IReadOnlyList<Pod> pods) => Task.WhenAll(pods.Select(async pod =>
    {
        try
        {
            await grains.GetGrain<IPodGrain>($"{Namespace}/{pod.Metadata.Name}").DeleteAsync(new DeleteOptions { PreconditionUid = pod.Metadata.Uid });
            events.Record(owner, Event.Normal, "SuccessfulDelete", $"Deleted pod: {pod.Metadata.Name}");
        }
        catch (GranaryException e) when (e is NotFoundException or ConflictException)
        {
        }
    }));

    private async Task<string?> CreateOneAsync(string generateName, int i, Func<int, string, Pod> make)
    {
        for (var attempt = 1; ; attempt++)
        {
            var name = ReplicaSetPlanner.NewPodName(generateName.TrimEnd('-'), Random.Shared);
            try
            {
                await grains.GetGrain<IPodGrain>($"{Namespace}/{name}").CreateAsync(make(i, name));
                events.Record(owner, Event.Normal, "SuccessfulCreate", $"Created pod: {name}");
                return null;
            }
            catch (AlreadyExistsException) when (attempt < NameAttempts)
            {
                // Another pod has this name: draw again, as generateName does.
            }
            catch (GranaryException e)
            {
                events.Record(owner, Event.Warning, "FailedCreate", $"Error creating: {e.Message}");
                return e.Message;
            }
        }
    }
}
