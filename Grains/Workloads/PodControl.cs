using Granary.Api;
using Granary.Errors;
using Granary.Events;
using Granary.Model;

namespace Granary.Grains.Workloads;

/// <summary>
/// Creates and deletes a controller's pods as kube's PodControl does: a new pod takes a generated name (drawn again when
/// taken), and each creation, deletion and failure is an event on the controller (SuccessfulCreate, FailedCreate,
/// SuccessfulDelete). A pod already gone, or replaced by another of the same name, counts as deleted.
/// </summary>
public sealed class PodControl(IGrainFactory grains, IEventRecorder events)
{
    private const int NameAttempts = 4;

    /// <summary>
    /// Creates the pod <paramref name="newPod"/> makes for a generated name (<paramref name="generateName"/>, by default
    /// the controller's name and a dash, plus 5 random characters); returns null, or why it failed.
    /// </summary>
    public async Task<string?> CreateAsync(IResource controller, Func<string, Pod> newPod, string? generateName = null)
    {
        var prefix = generateName is null ? controller.Metadata.Name! : generateName.TrimEnd('-');
        for (var attempt = 1; ; attempt++)
        {
            var name = ReplicaSetPlanner.NewPodName(prefix, Random.Shared);
            try
            {
                await grains.GetGrain<IPodGrain>($"{controller.Metadata.Namespace}/{name}").CreateAsync(newPod(name));
                events.Record(controller, Event.Normal, "SuccessfulCreate", $"Created pod: {name}");
                return null;
            }
            catch (AlreadyExistsException) when (attempt < NameAttempts)
            {
                // Another pod has this name: draw again, as generateName does.
            }
            catch (GranaryException e)
            {
                events.Record(controller, Event.Warning, "FailedCreate", $"Error creating: {e.Message}");
                return e.Message;
            }
        }
    }

    /// <summary>
    /// Runs <paramref name="create"/> for each item in batches of 1, 2, 4, … (kube's slow start), stopping after the
    /// first batch with a failure; returns how many succeeded.
    /// </summary>
    public static async Task<int> SlowStartAsync<T>(IReadOnlyList<T> items, Func<T, Task<bool>> create)
    {
        var created = 0;
        var done = 0;
        for (var batch = 1; done < items.Count; batch *= 2)
        {
            var results = await Task.WhenAll(items.Skip(done).Take(batch).Select(create));
            done += results.Length;
            created += results.Count(ok => ok);
            if (results.Any(ok => !ok))
                break;
        }
        return created;
    }

    /// <summary>Deletes the pod if it is still the one read (its uid); <paramref name="gracePeriodSeconds"/> 0 deletes at once.</summary>
    public async Task DeleteAsync(IResource controller, Pod pod, long? gracePeriodSeconds = null)
    {
        try
        {
            await grains.GetGrain<IPodGrain>($"{pod.Metadata.Namespace}/{pod.Metadata.Name}")
                .DeleteAsync(new DeleteOptions { PreconditionUid = pod.Metadata.Uid, GracePeriodSeconds = gracePeriodSeconds });
            events.Record(controller, Event.Normal, "SuccessfulDelete", $"Deleted pod: {pod.Metadata.Name}");
        }
        catch (GranaryException e) when (e is NotFoundException or ConflictException)
        {
            // Gone or replaced already: what we wanted.
        }
    }
}
