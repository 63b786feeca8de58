using Granary.Model;

namespace Granary.Printing.Tables;

/// <summary>The wide columns Deployments and ReplicaSets share: the template's containers and images, and the selector.</summary>
internal static class WorkloadColumns
{
    public static TableColumn Containers { get; } = new("Containers", "Names of each container in the template.", Priority: 1);

    public static TableColumn Images { get; } = new("Images", "Images referenced by each container in the template.", Priority: 1);

    public static string ContainerNames(PodTemplateSpec? template) => string.Join(",", (template?.Spec?.Containers ?? []).Select(c => c.Name));

    public static string ContainerImages(PodTemplateSpec? template) => string.Join(",", (template?.Spec?.Containers ?? []).Select(c => c.Image));

    public static string Selector(LabelSelectorSpec? selector) => LabelSelectorSpec.Format(selector);

    public static string Count(int value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
