using Granary.Grains.Validation;
using Granary.Model;

namespace Granary.Tests.Unit.Validation;

public class ControllerRevisionValidationTests
{
    private static Case<ControllerRevision> Row(string name, ControllerRevision revision, params string[] expected) => new(name, revision, expected);

    private static ControllerRevision Revision(string data = """{"spec":{}}""", long revision = 1) =>
        new() { Metadata = new() { Name = "agent-5d8f", Namespace = "default" }, Data = new RawExtension(data), Revision = revision };

    public static TheoryData<Case<ControllerRevision>> Revisions => new()
    {
        Row("valid", Revision()),
        Row("revision 0", Revision(revision: 0)),
        Row("no data", Revision() with { Data = null }, "data: Required value: data is mandatory"),
        Row("null data", Revision("null"), "data: Required value: data is mandatory"),
        Row("negative revision", Revision(revision: -1), "revision: Invalid value: -1: must be greater than or equal to 0"),
        Row("name in capitals", Revision() with { Metadata = new() { Name = "Agent", Namespace = "default" } }, $"metadata.name: Invalid value: \"Agent\": {KubernetesText.Subdomain}"),
    };

    [Theory]
    [MemberData(nameof(Revisions))]
    public void Validate_ControllerRevision_ReportsKubernetesErrors(Case<ControllerRevision> c) =>
        Assert.Equal(c.Expected, ControllerRevisionValidation.Validate(c.Input).Select(e => e.ToString()));

    [Fact]
    public void ValidateUpdate_NewRevisionNumber_IsAllowed() =>
        Assert.Empty(ControllerRevisionValidation.ValidateUpdate(Revision(), Revision(revision: 4)));

    [Fact]
    public void ValidateUpdate_OtherData_IsImmutable() =>
        Assert.Equal(["data: Invalid value: field is immutable"],
            ControllerRevisionValidation.ValidateUpdate(Revision(), Revision("""{"spec":{"x":1}}""")).Select(e => e.ToString()));
}
