using Granary.Errors;
using Granary.Silo.Api;

namespace Granary.Tests.Unit.Api;

/// <summary>Every wire exception becomes the Status kube-apiserver would send: the code, the reason, and the details kubectl reads.</summary>
public class ApiStatusTests
{
    public static TheoryData<GranaryException, int, string> Cases => new()
    {
        { new NotFoundException("pods", "web"), 404, "NotFound" },
        { new AlreadyExistsException("pods", "web"), 409, "AlreadyExists" },
        { new ConflictException("pods", "web", "the object has been modified"), 409, "Conflict" },
        { new ExpiredException("too old resource version: 1 (5)"), 410, "Expired" },
        { new BadRequestException("bad"), 400, "BadRequest" },
        { new ForbiddenException("no"), 403, "Forbidden" },
        { new ServiceUnavailableException("later"), 503, "ServiceUnavailable" },
        { new UnsupportedMediaTypeException("application/vnd.kubernetes.protobuf"), 415, "UnsupportedMediaType" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void From_CarriesCodeReasonAndMessage(GranaryException e, int code, string reason)
    {
        var status = ApiStatus.From(e);

        Assert.Equal(("Status", "v1", "Failure"), ((string?)status["kind"], (string?)status["apiVersion"], (string?)status["status"]));
        Assert.Equal(code, (int)status["code"]!);
        Assert.Equal(reason, (string?)status["reason"]);
        Assert.Equal(e.Message, (string?)status["message"]);
    }

    [Fact]
    public void From_NotFound_NamesTheObjectInDetails()
    {
        var details = ApiStatus.From(new NotFoundException("pods", "web"))["details"]!;

        Assert.Equal(("web", "pods"), ((string?)details["name"], (string?)details["kind"]));
    }

    [Fact]
    public void From_Invalid_ListsEachFieldAsACause()
    {
        var e = new InvalidException("Pod", "web",
        [
            new FieldError("spec.containers[0].image", "Required value", ""),
            new FieldError("metadata.name", "Invalid value", "\"Web\": a lowercase RFC 1123 subdomain must consist of ..."),
        ]);

        var status = ApiStatus.From(e);
        var causes = status["details"]!["causes"]!.AsArray();

        Assert.Equal(422, (int)status["code"]!);
        Assert.Equal("Pod", (string?)status["details"]!["kind"]);
        Assert.Equal(("FieldValueRequired", "spec.containers[0].image", "Required value"),
            ((string?)causes[0]!["reason"], (string?)causes[0]!["field"], (string?)causes[0]!["message"]));
        Assert.Equal(("FieldValueInvalid", "metadata.name"), ((string?)causes[1]!["reason"], (string?)causes[1]!["field"]));
        Assert.StartsWith("Invalid value: \"Web\"", (string?)causes[1]!["message"]);
    }
}
