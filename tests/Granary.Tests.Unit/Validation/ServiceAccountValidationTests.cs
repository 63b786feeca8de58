using Granary.Grains.Validation;
using Granary.Model;

namespace Granary.Tests.Unit.Validation;

public class ServiceAccountValidationTests
{
    private static Case<ServiceAccount> Row(string name, ServiceAccount account, params string[] expected) => new(name, account, expected);

    private static ServiceAccount Account(string name = "builder") => new() { Metadata = new() { Name = name, Namespace = "default" } };

    public static TheoryData<Case<ServiceAccount>> Accounts => new()
    {
        Row("valid", Account()),
        Row("a dotted name (a DNS subdomain)", Account("ci.builder")),
        Row("with secrets", Account() with { Secrets = [new() { Name = "token" }], ImagePullSecrets = [new() { Name = "registry" }], AutomountServiceAccountToken = false }),
        Row("no name", Account("") with { Metadata = new() { Namespace = "default" } }, "metadata.name: Required value: name or generateName is required"),
        Row("name in capitals", Account("Builder"), $"metadata.name: Invalid value: \"Builder\": {KubernetesText.Subdomain}"),
        Row("unnamed secrets", Account() with { Secrets = [new()], ImagePullSecrets = [new() { Name = "" }] }, "secrets[0].name: Required value", "imagePullSecrets[0].name: Required value"),
    };

    [Theory]
    [MemberData(nameof(Accounts))]
    public void Validate_ServiceAccount_ReportsKubernetesErrors(Case<ServiceAccount> c) =>
        Assert.Equal(c.Expected, ServiceAccountValidation.Validate(c.Input).Select(e => e.ToString()));
}
