using System.Collections.Immutable;
using Granary.Grains.Workloads;
using Granary.Model;

namespace Granary.Tests.Unit.Workloads;

public class PodTemplateHashTests
{
    private static PodTemplateSpec Template(string image = "local/web:1") => new()
    {
        Metadata = new ObjectMeta { Labels = ImmutableSortedDictionary<string, string>.Empty.Add("app", "web") },
        Spec = new PodSpec { Containers = [new Container { Name = "web", Image = image }] },
    };

    [Fact]
    public void Compute_IsAFixedFunctionOfTheTemplate()
    {
        // A stored ReplicaSet's name depends on this value: it must never change between versions or restarts.
        Assert.Equal("7b7cbb95bd", PodTemplateHash.Compute(Template(), null));
        Assert.Equal(PodTemplateHash.Compute(Template(), null), PodTemplateHash.Compute(Template(), null));
    }

    [Fact]
    public void Compute_UsesOnlyTheSafeAlphabet()
    {
        var hash = PodTemplateHash.Compute(Template(), null);

        Assert.All(hash, c => Assert.Contains(c, "bcdfghjklmnpqrstvwxz2456789"));
        Assert.InRange(hash.Length, 1, 10);
    }

    [Fact]
    public void Compute_ChangesWithTheImage()
    {
        Assert.NotEqual(PodTemplateHash.Compute(Template("local/web:1"), null), PodTemplateHash.Compute(Template("local/web:2"), null));
    }

    [Fact]
    public void Compute_IgnoresTheHashLabelItself()
    {
        var template = Template();
        var labelled = template with { Metadata = template.Metadata! with { Labels = template.Metadata.Labels!.Add(PodTemplateHash.Label, "x") } };

        Assert.Equal(PodTemplateHash.Compute(template, null), PodTemplateHash.Compute(labelled, null));
    }

    [Fact]
    public void Compute_ChangesWithTheCollisionCount()
    {
        var hashes = new[] { PodTemplateHash.Compute(Template(), null), PodTemplateHash.Compute(Template(), 1), PodTemplateHash.Compute(Template(), 2) };

        Assert.Equal(3, hashes.Distinct().Count());
    }
}
