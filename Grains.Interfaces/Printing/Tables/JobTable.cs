using System.Collections.Immutable;
using System.Globalization;
using Granary.Model;

namespace Granary.Printing.Tables;

/// <summary>NAME STATUS COMPLETIONS DURATION AGE (+ CONTAINERS IMAGES SELECTOR), as kube-apiserver 1.32's job printer.</summary>
internal sealed class JobTable : KindTable
{
    public override ImmutableArray<TableColumn> Columns { get; } =
    [
        NameColumn,
        new("Status", "Status of the job."),
        new("Completions", "The number of pods which reached phase Succeeded. The value increases monotonically for a given spec. However, it may decrease in reaction to scale down of elastic indexed jobs."),
        new("Duration", "Time required to complete the job."),
        AgeColumn,
        WorkloadColumns.Containers,
        WorkloadColumns.Images,
        new("Selector", "A label query over pods that should match the pod count. Normally, the system sets this field for you. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors", Priority: 1),
    ];

    public override IReadOnlyList<string> Cells(IResource resource, DateTimeOffset now)
    {
        var job = (Job)resource;
        return
        [
            job.Metadata.Name ?? "",
            Status(job),
            Completions(job),
            Duration(job.Status, now),
            Age(job, now),
            WorkloadColumns.ContainerNames(job.Spec.Template),
            WorkloadColumns.ContainerImages(job.Spec.Template),
            WorkloadColumns.Selector(job.Spec.Selector),
        ];
    }

    /// <summary>The first of kube's printer's checks that holds: a finished condition, deletion, then the other conditions.</summary>
    public static string Status(Job job)
    {
        if (Has(job, JobCondition.Complete))
            return "Complete";
        if (Has(job, JobCondition.Failed))
            return "Failed";
        if (job.Metadata.DeletionTimestamp is not null)
            return "Terminating";
        if (Has(job, JobCondition.Suspended))
            return "Suspended";
        if (Has(job, JobCondition.FailureTarget))
            return "FailureTarget";
        return Has(job, JobCondition.SuccessCriteriaMet) ? "SuccessCriteriaMet" : "Running";
    }

    /// <summary>"succeeded/completions", or for a work queue "succeeded/1" (and " of parallelism" above 1).</summary>
    public static string Completions(Job job)
    {
        var succeeded = job.Status?.Succeeded ?? 0;
        if (job.Spec.Completions is { } completions)
            return string.Create(CultureInfo.InvariantCulture, $"{succeeded}/{completions}");
        var parallelism = job.Spec.Parallelism ?? 0;
        return parallelism > 1
            ? string.Create(CultureInfo.InvariantCulture, $"{succeeded}/1 of {parallelism}")
            : string.Create(CultureInfo.InvariantCulture, $"{succeeded}/1");
    }

    /// <summary>Empty before the job starts; since its start while it runs; from start to completion after.</summary>
    public static string Duration(JobStatus? status, DateTimeOffset now) => status switch
    {
        { StartTime: null } or null => "",
        { CompletionTime: { } done, StartTime: { } start } => HumanDuration.Format(done - start),
        { StartTime: { } start } => HumanDuration.Format(now - start),
    };

    private static bool Has(Job job, string type) => job.Status?.Conditions?.Any(c => c.Type == type && c.Status == "True") == true;
}
