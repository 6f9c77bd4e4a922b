using OpsConsole.Features.Instances;

namespace OpsConsole.Tests.Features.Instances;

/// <summary>What the "N new" bar counts while live changes wait for the pointer to leave the list.</summary>
public sealed class FailingListTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.Parse("2026-11-23T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture);

    private static FailingInstance Row(string key, long record) =>
        new(key, key, "container", "docker", null, "exit.app-error", "exit", "error", "exit 1", 1, Now, Now, Now, record);

    private static FailingPage Page(params FailingInstance[] rows) => new(rows, rows.Length, 0, 50);

    [Fact]
    public void The_same_rows_are_no_change()
    {
        Assert.Equal(0, FailingList.Changed(Page(Row("a", 1), Row("b", 2)), Page(Row("a", 1), Row("b", 2))));
    }

    [Fact]
    public void A_new_instance_and_a_newer_record_each_count()
    {
        Assert.Equal(2, FailingList.Changed(Page(Row("a", 1), Row("b", 2)), Page(Row("c", 9), Row("a", 3), Row("b", 2))));
    }

    [Fact]
    public void A_row_that_only_left_the_list_is_still_a_change()
    {
        Assert.Equal(1, FailingList.Changed(Page(Row("a", 1), Row("b", 2)), Page(Row("a", 1))));
    }
}
