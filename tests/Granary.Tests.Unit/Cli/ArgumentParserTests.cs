using Granary.Cli.Arguments;

namespace Granary.Tests.Unit.Cli;

public class ArgumentParserTests
{
    private static CliArguments Parse(string line) => ArgumentParser.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries));

    [Theory]
    [InlineData("get pods -n team", "team")]
    [InlineData("get pods --namespace team", "team")]
    [InlineData("get pods --namespace=team", "team")]
    [InlineData("get -nteam pods", "team")]
    [InlineData("-n=team get pods", "team")]
    [InlineData("get pods", null)]
    public void Parse_NamespaceInAnyForm_IsRead(string line, string? expected)
    {
        var args = Parse(line);

        Assert.Equal((expected, expected ?? "default"), (args.Namespace, args.EffectiveNamespace));
        Assert.Equal(["get", "pods"], args.Words.ToArray());
    }

    [Fact]
    public void Parse_FlagsAnywhere_LeaveTheWordsInOrder()
    {
        var args = Parse("-o wide get -l app=web pods -A web --watch");

        Assert.Equal(["get", "pods", "web"], args.Words.ToArray());
        Assert.Equal(("get", "pods,web"), (args.Command, string.Join(",", args.Args)));
        Assert.Equal((OutputFormat.Wide, "app=web", true, true), (args.Output, args.Selector, args.AllNamespaces, args.Watch));
    }

    [Theory]
    [InlineData("get pods -Aw")]
    [InlineData("get pods -wA")]
    [InlineData("get pods --all-namespaces --watch=true")]
    [InlineData("get pods -A -w")]
    public void Parse_GroupedShortBooleans_SetEach(string line)
    {
        var args = Parse(line);

        Assert.Equal((true, true), (args.AllNamespaces, args.Watch));
    }

    [Fact]
    public void Parse_ShortGroupEndingInValueFlag_TakesTheNextWord()
    {
        var args = Parse("get pods -Ao yaml");

        Assert.Equal((true, OutputFormat.Yaml), (args.AllNamespaces, args.Output));
    }

    [Theory]
    [InlineData("-o json", "Json")]
    [InlineData("--output=yaml", "Yaml")]
    [InlineData("-oname", "Name")]
    [InlineData("-o wide", "Wide")]
    [InlineData("", "Table")]
    public void Parse_Output_MapsToFormat(string flags, string expected)
    {
        Assert.Equal(expected, Parse($"get pods {flags}").Output.ToString());
    }

    [Fact]
    public void Parse_RepeatedFilesAndGateways_AreAllKept()
    {
        var args = Parse("apply -f a.yaml --filename b.yaml -f - --gateway 127.0.0.1:1,127.0.0.1:2 --gateway=127.0.0.1:3");

        Assert.Equal(["a.yaml", "b.yaml", "-"], args.Files.ToArray());
        Assert.Equal(["127.0.0.1:1", "127.0.0.1:2", "127.0.0.1:3"], args.Gateways.ToArray());
    }

    [Theory]
    [InlineData("--grace-period 0", 0L)]
    [InlineData("--grace-period=30", 30L)]
    [InlineData("--grace-period -1", null)]
    public void Parse_GracePeriod_NegativeMeansTheObjectsOwn(string flags, long? expected)
    {
        Assert.Equal(expected, Parse($"delete pod web {flags}").GracePeriod);
    }

    [Fact]
    public void Parse_ConnectionFlags_AreRead()
    {
        var args = Parse("cluster status --redis 127.0.0.1:6379 --cluster-id lab -h");

        Assert.Equal(("127.0.0.1:6379", "lab", true), (args.Redis, args.ClusterId, args.Help));
    }

    [Fact]
    public void Parse_DoubleDash_EndsFlags()
    {
        Assert.Equal(["get", "pods", "-w"], Parse("get -- pods -w").Words.ToArray());
    }

    [Theory]
    [InlineData("get pods --bogus", "unknown flag: --bogus")]
    [InlineData("get pods -x", "unknown shorthand flag: 'x' in -x")]
    [InlineData("get pods -Ax", "unknown shorthand flag: 'x' in -Ax")]
    [InlineData("get pods -n", "flag needs an argument: 'n' in -n")]
    [InlineData("get pods --namespace", "flag needs an argument: --namespace")]
    [InlineData("get pods -o table", "unable to match a printer suitable for the output format \"table\", allowed formats are: json,name,wide,yaml")]
    [InlineData("get pods --watch=maybe", "invalid argument \"maybe\" for \"--watch\" flag: expected true or false")]
    [InlineData("delete pod web --grace-period soon", "invalid argument \"soon\" for \"--grace-period\" flag: expected a whole number of seconds")]
    public void Parse_BadFlag_SaysWhatIsWrong(string line, string expected)
    {
        var e = Assert.Throws<UsageException>(() => Parse(line));

        Assert.Equal(expected, e.Message);
    }
}
