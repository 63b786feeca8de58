using System.Collections.Immutable;
using System.Globalization;
using Granary.Grains.Workloads;
using Granary.Model;

namespace Granary.Grains.Batch;

/// <summary>The pods a Job makes from its template, and what the controller reads back from them.</summary>
public static class JobPods
{
    /// <summary>
    /// A pod of the Job (kube's GetPodFromTemplate plus the job controller's additions): a controller reference, the
    /// tracking finalizer and, for an Indexed Job, the completion index as annotation and label, the
    /// JOB_COMPLETION_INDEX variable read from that annotation in every container, and the hostname "job-index".
    /// </summary>
    public static Pod NewPod(Job job, string name, int? index)
    {
        var template = job.Spec.Template ?? new PodTemplateSpec();
        var labels = template.Metadata?.Labels ?? ImmutableSortedDictionary<string, string>.Empty;
        var annotations = template.Metadata?.Annotations ?? ImmutableSortedDictionary<string, string>.Empty;
        var spec = template.Spec ?? new PodSpec();
        if (index is { } i)
        {
            var text = i.ToString(CultureInfo.InvariantCulture);
            labels = labels.SetItem(BatchLabels.CompletionIndex, text);
            annotations = annotations.SetItem(BatchLabels.CompletionIndex, text);
            spec = spec with
            {
                Hostname = string.IsNullOrEmpty(spec.Hostname) ? $"{job.Metadata.Name}-{text}" : spec.Hostname,
                Containers = spec.Containers?.Select(WithIndexEnv).ToImmutableList(),
                InitContainers = spec.InitContainers?.Select(WithIndexEnv).ToImmutableList(),
            };
        }
        return new Pod
        {
            Metadata = new ObjectMeta
            {
                Name = name,
                GenerateName = GenerateName(job, index),
                Namespace = job.Metadata.Namespace,
                Labels = labels.Count == 0 ? null : labels,
                Annotations = annotations.Count == 0 ? null : annotations,
                Finalizers = (template.Metadata?.Finalizers ?? []).Add(BatchLabels.TrackingFinalizer),
                OwnerReferences = [OwnerReferences.ControllerOf(job)],
            },
            Spec = spec,
        };
    }

    /// <summary>"job-" for NonIndexed pods, "job-index-" for Indexed ones, as kube's podGenerateNameWithIndex.</summary>
    public static string GenerateName(Job job, int? index) =>
        index is { } i ? $"{job.Metadata.Name}-{i.ToString(CultureInfo.InvariantCulture)}-" : $"{job.Metadata.Name}-";

    /// <summary>The completion index a pod carries; null when it has none or it is not a number.</summary>
    public static int? Index(Pod pod) =>
        pod.Metadata.Annotations?.GetValueOrDefault(BatchLabels.CompletionIndex) is { } text
        && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var index) ? index : null;

    public static bool IsTracked(Pod pod) => pod.Metadata.Finalizers?.Contains(BatchLabels.TrackingFinalizer) == true;

    public static bool IsFinished(Pod pod) => pod.Status?.Phase is "Succeeded" or "Failed";

    /// <summary>Not finished and not being deleted.</summary>
    public static bool IsActive(Pod pod) => !IsFinished(pod) && pod.Metadata.DeletionTimestamp is null;

    /// <summary>Being deleted but not finished yet.</summary>
    public static bool IsTerminating(Pod pod) => !IsFinished(pod) && pod.Metadata.DeletionTimestamp is not null;

    private static Container WithIndexEnv(Container container) =>
        container.Env?.Any(e => e.Name == BatchLabels.CompletionIndexEnv) == true
            ? container
            : container with
            {
                Env = (container.Env ?? []).Add(new EnvVar
                {
                    Name = BatchLabels.CompletionIndexEnv,
                    ValueFrom = new EnvVarSource
                    {
                        FieldRef = new ObjectFieldSelector { ApiVersion = "v1", FieldPath = $"metadata.annotations['{BatchLabels.CompletionIndex}']" },
                    },
                }),
            };
}
