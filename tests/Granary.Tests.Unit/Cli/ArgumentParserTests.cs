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
    [InlineData("logs web -f")]
    [InlineData("logs -f web")]
    [InlineData("logs web --follow")]
    [InlineData("logs web -pf")]
    [InlineData("-n team logs web -f")]
    public void Parse_DashFOfLogs_IsFollow(string line)
    {
        var args = Parse(line);

        Assert.Equal((true, 0), (args.Follow, args.Files.Length));
        Assert.Equal(["logs", "web"], args.Words.ToArray());
    }

    [Fact]
    public void Parse_DashFBeforeTheCommand_TakesAValueToFindItAndIsThenTheCommandsOwn()
    {
        var args = Parse("-f x logs web");

        Assert.Equal((true, 0), (args.Follow, args.Files.Length));
        Assert.Equal(["logs", "x", "web"], args.Words.ToArray());
    }

    [Theory]
    [InlineData("apply -f web.yaml")]
    [InlineData("delete -f web.yaml")]
    [InlineData("-f web.yaml apply")]
    [InlineData("-n team -f web.yaml delete")]
    public void Parse_DashFOfApplyAndDelete_IsFilename(string line)
    {
        var args = Parse(line);

        Assert.Equal((false, "web.yaml"), (args.Follow, string.Join(",", args.Files)));
        Assert.Single(args.Words);
    }

    [Fact]
    public void Parse_LogsFlags_AreRead()
    {
        var args = Parse("logs web -c app --tail 20 --since 1h30m -p --timestamps -n team");

        Assert.Equal(("app", 20, TimeSpan.FromMinutes(90), true, true, "team"), (args.Container, args.Tail, args.Since, args.Previous, args.Timestamps, args.Namespace));
    }

    [Fact]
    public void Parse_LogsWithoutFlags_ReadsAllLinesOnce()
    {
        var args = Parse("logs web");

        Assert.Equal(((string?)null, -1, (TimeSpan?)null, false, false, false), (args.Container, args.Tail, args.Since, args.Previous, args.Timestamps, args.Follow));
    }

    [Theory]
    [InlineData("exec web -- ls -l", 1, "web,ls,-l")]
    [InlineData("exec web -c app -n team -- sh -c x -n y", 1, "web,sh,-c,x,-n,y")]
    [InlineData("exec web -- ls -- -a", 1, "web,ls,--,-a")]
    [InlineData("exec -- ls", 0, "ls")]
    [InlineData("exec web --", 1, "web")]
    [InlineData("exec web ls", null, "web,ls")]
    public void Parse_DoubleDash_RecordsWhereTheFlagsEnded(string line, int? before, string words)
    {
        var args = Parse(line);

        Assert.Equal((before, words), (args.ArgsBeforeDash, string.Join(",", args.Args)));
    }

    [Fact]
    public void Parse_FlagsAfterDoubleDash_AreTheCommandsOwn()
    {
        var args = Parse("exec web -c app -- sh -c x -n y");

        Assert.Equal(("app", null), (args.Container, args.Namespace));
    }

    [Theory]
    [InlineData("exec -it web -- sh", true)]
    [InlineData("exec web -i -- sh", true)]
    [InlineData("exec web --tty -- sh", true)]
    [InlineData("exec web --stdin=false -- sh", false)]
    [InlineData("exec web -- sh -it", false)]
    public void Parse_InteractiveExecFlags_AreNoted(string line, bool interactive)
    {
        Assert.Equal(interactive, Parse(line).Interactive);
    }

    [Theory]
    [InlineData("logs web --filename x.yaml", "unknown flag: --filename")]
    [InlineData("logs web -l app=web", "unknown shorthand flag: 'l' in -l")]
    [InlineData("logs web -o json", "unknown shorthand flag: 'o' in -o")]
    [InlineData("exec web -f x.yaml -- ls", "unknown shorthand flag: 'f' in -f")]
    [InlineData("exec web --tail 5 -- ls", "unknown flag: --tail")]
    [InlineData("get pods --follow", "unknown flag: --follow")]
    [InlineData("get pods --tail 5", "unknown flag: --tail")]
    [InlineData("get pods -c app", "unknown shorthand flag: 'c' in -c")]
    [InlineData("delete pod web -p", "unknown shorthand flag: 'p' in -p")]
    public void Parse_AnotherCommandsFlag_IsUnknown(string line, string expected)
    {
        var e = Assert.Throws<UsageException>(() => Parse(line));

        Assert.Equal(expected, e.Message);
    }

    [Theory]
    [InlineData("--since 5s", 5L)]
    [InlineData("--since=2m", 120L)]
    [InlineData("--since 1h", 3600L)]
    [InlineData("--since 1h30m", 5400L)]
    [InlineData("--since 0", 0L)]
    [InlineData("--since -10s", -10L)]
    public void Parse_Since_IsAGoDuration(string flags, long seconds)
    {
        Assert.Equal(TimeSpan.FromSeconds(seconds), Parse($"logs web {flags}").Since);
    }

    [Theory]
    [InlineData("get pods --bogus", "unknown flag: --bogus")]
    [InlineData("logs web --since 5", "invalid argument \"5\" for \"--since\" flag: time: missing unit in duration \"5\"")]
    [InlineData("logs web --since=5d", "invalid argument \"5d\" for \"--since\" flag: time: unknown unit \"d\" in duration \"5d\"")]
    [InlineData("logs web --tail ten", "invalid argument \"ten\" for \"--tail\" flag: expected a whole number of lines")]
    [InlineData("logs web -c", "flag needs an argument: 'c' in -c")]
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
