using Granary.Errors;
using Granary.Grains.Validation;
using Granary.Model;

namespace Granary.Tests.Unit.Validation;

public class ValidationResultTests
{
    [Fact]
    public void ThrowIfInvalid_NoErrors_DoesNotThrow() =>
        ValidationResult.ThrowIfInvalid(ResourceKinds.Pod, "web", []);

    [Fact]
    public void ThrowIfInvalid_Errors_ThrowsInvalidNamingKindNameAndCauses()
    {
        var errors = PodValidation.Validate(new Pod { Metadata = new() { Name = "web", Namespace = "default" } });

        var e = Assert.Throws<InvalidException>(() => ValidationResult.ThrowIfInvalid(ResourceKinds.Pod, "web", errors));

        Assert.Equal("Pod \"web\" is invalid: spec.containers: Required value", e.Message);
        Assert.Equal(("Pod", "web", 422, "Invalid"), (e.Kind, e.Name, e.Code, e.Reason));
        Assert.Equal(errors, e.Causes);
    }
}
