using System.Collections.Immutable;
using System.Globalization;
using Granary.Model;

namespace Granary.Printing.Tables;

/// <summary>NAME SCHEDULE TIMEZONE SUSPEND ACTIVE LAST SCHEDULE AGE (+ CONTAINERS IMAGES SELECTOR), as kube-apiserver 1.32 prints CronJobs.</summary>
internal sealed class CronJobTable : KindTable
{
    public override ImmutableArray<TableColumn> Columns { get; } =
    [
        NameColumn,
        new("Schedule", "The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron."),
        new("Timezone", "The time zone name for the given schedule, see https://en.wikipedia.org/wiki/List_of_tz_database_time_zones. If not specified, this will default to the time zone of the kube-controller-manager process. The set of valid time zone names and the time zone offset is loaded from the system-wide time zone database by the API server during CronJob validation and the controller manager during execution. If no system-wide time zone database can be found a bundled version of the database is used instead. If the time zone name becomes invalid during the lifetime of a CronJob or due to a change in host configuration, the controller will stop creating new new Jobs and will create a system event with the reason UnknownTimeZone. More information can be found in https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/#time-zones"),
        new("Suspend", "This flag tells the controller to suspend subsequent executions, it does not apply to already started executions. Defaults to false."),
        new("Active", "A list of pointers to currently running jobs."),
        new("Last Schedule", "Information when was the last time the job was successfully scheduled."),
        AgeColumn,
        WorkloadColumns.Containers,
        WorkloadColumns.Images,
        new("Selector", "A label query over pods that should match the pod count. Normally, the system sets this field for you. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors", Priority: 1),
    ];

    public override IReadOnlyList<string> Cells(IResource resource, DateTimeOffset now)
    {
        var cj = (CronJob)resource;
        var template = cj.Spec.JobTemplate?.Spec;
        return
        [
            cj.Metadata.Name ?? "",
            cj.Spec.Schedule,
            cj.Spec.TimeZone ?? "<none>",
            cj.Spec.Suspend is { } suspend ? (suspend ? "True" : "False") : "<unset>",
            (cj.Status?.Active?.Count ?? 0).ToString(CultureInfo.InvariantCulture),
            cj.Status?.LastScheduleTime is { } last ? HumanDuration.Since(last, now) : "<none>",
            Age(cj, now),
            WorkloadColumns.ContainerNames(template?.Template),
            WorkloadColumns.ContainerImages(template?.Template),
            WorkloadColumns.Selector(template?.Selector),
        ];
    }
}
