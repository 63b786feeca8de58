using Cronos;

namespace Granary.Grains.Batch;

/// <summary>
/// A CronJob's schedule in its time zone, parsed with Cronos: five fields or a macro (@hourly, @daily, …), as kube's
/// cron.ParseStandard accepts. Answers the two questions kube's controller asks: the most recent time at or before
/// now, with how many were missed since a point, and the next time after now.
/// </summary>
public sealed class CronSchedule
{
    /// <summary>Above this many missed times kube records TooManyMissedTimes; counting stops there.</summary>
    public const int MaxMissed = 100;

    private static readonly TimeSpan[] LookBack =
        [TimeSpan.FromHours(1), TimeSpan.FromDays(1), TimeSpan.FromDays(32), TimeSpan.FromDays(367), TimeSpan.FromDays(367 * 5)];

    private readonly CronExpression _expression;
    private readonly TimeZoneInfo _zone;

    private CronSchedule(CronExpression expression, TimeZoneInfo zone) => (_expression, _zone) = (expression, zone);

    /// <summary>The schedule, or the parser's complaint; the zone must already be known (see <see cref="TryFindZone"/>).</summary>
    public static CronSchedule? TryParse(string schedule, TimeZoneInfo zone, out string? error)
    {
        error = null;
        var text = schedule.Trim();
        if (text.StartsWith("@every", StringComparison.OrdinalIgnoreCase))
        {
            error = "@every schedules are not supported; write the interval as a five-field schedule (e.g. */5 * * * *)";
            return null;
        }
        try
        {
            return new CronSchedule(CronExpression.Parse(text, CronFormat.Standard), zone);
        }
        catch (CronFormatException e)
        {
            error = e.Message;
            return null;
        }
    }

    /// <summary>An IANA zone (as kube's time.LoadLocation); "UTC" and "Etc/UTC" included. Null when unknown.</summary>
    public static TimeZoneInfo? TryFindZone(string name)
    {
        if (name.Length == 0 || name.Equals("Local", StringComparison.OrdinalIgnoreCase) || name.Split('/').Any(p => p is "." or ".." || p.StartsWith('-')))
            return null;
        try
        {
            var zone = TimeZoneInfo.FindSystemTimeZoneById(name);
            return zone.HasIanaId || name == "UTC" ? zone : null;
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            return null;
        }
    }

    public DateTimeOffset? Next(DateTimeOffset after) => _expression.GetNextOccurrence(after, _zone);

    /// <summary>
    /// The latest scheduled time in (since, now], and how many there are (counting stops above <see cref="MaxMissed"/>);
    /// null when none. Kube's mostRecentScheduleTime.
    /// </summary>
    public (DateTimeOffset? MostRecent, int Missed) MostRecent(DateTimeOffset since, DateTimeOffset now)
    {
        var missed = _expression.GetOccurrences(since, now, _zone, fromInclusive: false, toInclusive: true).Take(MaxMissed + 1).Count();
        if (missed == 0)
            return (null, 0);
        foreach (var window in LookBack)
        {
            var from = now - window > since ? now - window : since;
            DateTimeOffset? last = null;
            foreach (var t in _expression.GetOccurrences(from, now, _zone, fromInclusive: false, toInclusive: true))
                last = t;
            if (last is not null)
                return (last, missed);
            if (from == since)
                break;
        }
        // Times are rarer than every five years: walk from the start.
        return (_expression.GetOccurrences(since, now, _zone, false, true).Last(), missed);
    }
}
