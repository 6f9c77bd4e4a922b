using OpsConsole.Data.Notices;
using Microsoft.AspNetCore.Components;
using MudBlazor;
using OpsConsole.Features.Auth;
using OpsConsole.Features.Records;
using OpsConsole.Infrastructure;

namespace OpsConsole.Features.Instances;

/// <summary>
/// The home page: failing instances with filters, sort and density carried in the URL, family chips, acknowledge/mute,
/// live. Live changes never move rows under the pointer: while it is over the list they wait behind an "N new" bar.
/// </summary>
public partial class FailingList
{
    private static readonly int[] PageSizes = [25, 50, 100, 250];

    private FailingView _view = new();
    private FailingPage _page = new([], 0, 0, 0);
    private FailingPage? _pending;
    private bool _pointerInside;
    private int _offset;
    private int _pageSize = 50;
    private IReadOnlyList<FailingGroup> _groups = [];
    private Dictionary<string, int> _familyCounts = [];
    private IReadOnlyList<string> _sources = [];
    private bool _empty;
    private LiveRefresh? _live;
    private (FailingView, FailingSort, bool, FailingGrouping)? _loaded;

    [Inject] private InstanceQueries Instances { get; set; } = default!;
    [Inject] private FailingGroups Groups { get; set; } = default!;
    [Inject] private InstanceAcknowledgements Acknowledgements { get; set; } = default!;
    [Inject] private ICommitFeed Changes { get; set; } = default!;
    [Inject] private NavigationManager Navigation { get; set; } = default!;
    [Inject] private IDialogService Dialogs { get; set; } = default!;
    [Inject] private TimeProvider Clock { get; set; } = default!;
    [Inject] private ConsoleAccess Access { get; set; } = default!;

    [SupplyParameterFromQuery] public string? Kind { get; set; }
    [SupplyParameterFromQuery] public string? Family { get; set; }
    [SupplyParameterFromQuery] public string? Category { get; set; }
    [SupplyParameterFromQuery] public string? Severity { get; set; }
    [SupplyParameterFromQuery] public string? Source { get; set; }
    [SupplyParameterFromQuery(Name = "range")] public string? Range { get; set; }
    [SupplyParameterFromQuery(Name = "from")] public string? From { get; set; }
    [SupplyParameterFromQuery(Name = "to")] public string? To { get; set; }
    [SupplyParameterFromQuery(Name = "q")] public string? Search { get; set; }
    [SupplyParameterFromQuery] public string? Muted { get; set; }
    [SupplyParameterFromQuery] public string? Sort { get; set; }
    [SupplyParameterFromQuery] public string? Order { get; set; }
    [SupplyParameterFromQuery] public string? Density { get; set; }
    [SupplyParameterFromQuery] public string? Group { get; set; }

    private string BaseUrl => Navigation.BaseUri;

    private bool Compact => string.Equals(Density, "compact", StringComparison.OrdinalIgnoreCase);

    private FailingSort SortBy => Enum.TryParse<FailingSort>(Sort, ignoreCase: true, out var sort) ? sort : FailingSort.LastFailure;

    private FailingGrouping Grouping => Enum.TryParse<FailingGrouping>(Group, ignoreCase: true, out var grouping) ? grouping : FailingGrouping.None;

    private bool Descending => !string.Equals(Order, "asc", StringComparison.OrdinalIgnoreCase);

    protected override void OnInitialized() =>
        _live = new LiveRefresh(Changes, _ => true, () => InvokeAsync(() => RefreshAsync(live: true)), TimeSpan.FromMilliseconds(500));

    protected override async Task OnParametersSetAsync()
    {
        _view = FailingView.From(Kind, Family, Category, Severity, Source, Range, Search, QueryValue.Flag(Muted), From, To);
        // A new filter or sort starts at the first page; a density change keeps the rows where they are.
        if (_loaded != (_view, SortBy, Descending, Grouping)) _offset = 0;
        _loaded = (_view, SortBy, Descending, Grouping);
        await RefreshAsync(live: false);
    }

    /// <summary>Reloads counts and rows; a live refresh while the pointer is over the list keeps the rows and offers the change.</summary>
    private async Task RefreshAsync(bool live)
    {
        _sources = await Instances.SourcesAsync(CancellationToken.None);
        var filter = _view.ToFilter(Clock.GetUtcNow());
        _familyCounts = await Instances.FailingByFamilyAsync(filter, CancellationToken.None);
        // Nothing failing and no source ever seen: nothing has been sent yet.
        _empty = _familyCounts.Count == 0 && _sources.Count == 0;
        var page = await Instances.FailingAsync(filter, SortBy, Descending, _offset, _pageSize, CancellationToken.None);
        var groups = await Groups.ListAsync(filter, Grouping, CancellationToken.None);
        if (live && _pointerInside && Changed(_page, page) > 0) _pending = page;
        else (_page, _pending) = (page, null);
        // Group counts and sparklines never move rows, so they follow live even under the pointer.
        _groups = groups;
        if (live) StateHasChanged();
    }

    /// <summary>Rows of <paramref name="next"/> that are not on screen as they are now: new instances, or a newer record.</summary>
    internal static int Changed(FailingPage shown, FailingPage next)
    {
        var current = shown.Items.Select(i => (i.Instance, i.LastRecordId, i.Acknowledgement?.Status)).ToHashSet();
        var changed = next.Items.Count(i => !current.Contains((i.Instance, i.LastRecordId, i.Acknowledgement?.Status)));
        // Rows that only left the list still change what is under the pointer.
        return changed > 0 || shown.Items.Count != next.Items.Count || shown.Total != next.Total ? Math.Max(changed, 1) : 0;
    }

    private string PendingText => _pending is null ? "" : $"{Changed(_page, _pending)} new or changed";

    private void PointerEntered() => _pointerInside = true;

    private void PointerLeft()
    {
        _pointerInside = false;
        ShowPending();
    }

    private void ShowPending()
    {
        if (_pending is null) return;
        (_page, _pending) = (_pending, null);
    }

    private string RangeText => _page.Total == 0 ? "0 of 0" : $"{_offset + 1}–{Math.Min(_offset + _pageSize, _page.Total)} of {_page.Total}";

    private async Task MoveAsync(int pages)
    {
        _offset = Math.Max(0, _offset + pages * _pageSize);
        await RefreshAsync(live: false);
    }

    private async Task PageSizeChangedAsync(ChangeEventArgs e)
    {
        if (int.TryParse(e.Value?.ToString(), out var size) && PageSizes.Contains(size)) _pageSize = size;
        _offset = 0;
        await RefreshAsync(live: false);
    }

    private string Arrow(FailingSort column) => column != SortBy ? "" : Descending ? " ▼" : " ▲";

    private string AriaSort(FailingSort column) => column != SortBy ? "none" : Descending ? "descending" : "ascending";

    /// <summary>Clicking the sorted column flips its order; another column sorts descending (worst, most, newest first).</summary>
    private Task SortAsync(FailingSort column)
    {
        var descending = column != SortBy || !Descending;
        Navigation.NavigateTo(Navigation.GetUriWithQueryParameters(new Dictionary<string, object?>
        {
            ["sort"] = column == FailingSort.LastFailure ? null : column.ToString().ToLowerInvariant(),
            ["order"] = descending ? null : "asc",
        }), replace: true);
        return Task.CompletedTask;
    }

    private Task GroupingChangedAsync(ChangeEventArgs e)
    {
        var grouping = Enum.TryParse<FailingGrouping>(e.Value?.ToString(), ignoreCase: true, out var g) ? g : FailingGrouping.None;
        Navigation.NavigateTo(Navigation.GetUriWithQueryParameter("group", grouping == FailingGrouping.None ? null : grouping.ToString().ToLowerInvariant()), replace: true);
        return Task.CompletedTask;
    }

    /// <summary>One note for every instance of a group (all of them, not only those on this page).</summary>
    private async Task AcknowledgeGroupAsync(FailingGroup group)
    {
        var dialog = await Dialogs.ShowAsync<AcknowledgeDialog>($"Acknowledge or mute {group.Count} instances in {group.Label}", new DialogParameters<AcknowledgeDialog>());
        if (await dialog.Result is { Canceled: false, Data: AcknowledgeDialog.Choice choice } && await Access.ActAsAsync(ConsoleRoles.Operator) is { } actor)
        {
            var expiresAt = choice.ExpiresAt(Clock.GetUtcNow());
            foreach (var instance in group.Instances)
                await Acknowledgements.SetAsync(instance, choice.Status, choice.Note, actor, CancellationToken.None, expiresAt, choice.UntilRecovered);
            await RefreshAsync(live: false);
        }
    }

    private Task ToggleDensityAsync()
    {
        Navigation.NavigateTo(Navigation.GetUriWithQueryParameter("density", Compact ? null : "compact"), replace: true);
        return Task.CompletedTask;
    }

    private Task SelectFamilyAsync(string? family) => ApplyViewAsync(_view with { Family = family, Category = null });

    /// <summary>Filters live in the URL, so the page reacts to the navigation and a link reproduces the view.</summary>
    private Task ApplyViewAsync(FailingView view)
    {
        Navigation.NavigateTo(Navigation.GetUriWithQueryParameters(view.ToQuery()), replace: true);
        return Task.CompletedTask;
    }

    private async Task AcknowledgeAsync(FailingInstance item)
    {
        var dialog = await Dialogs.ShowAsync<AcknowledgeDialog>($"Acknowledge or mute {item.DisplayName}",
            new DialogParameters<AcknowledgeDialog> { { d => d.Note, item.Acknowledgement?.Note } });
        if (await dialog.Result is { Canceled: false, Data: AcknowledgeDialog.Choice choice } && await Access.ActAsAsync(ConsoleRoles.Operator) is { } actor)
        {
            await Acknowledgements.SetAsync(item.Instance, choice.Status, choice.Note, actor, CancellationToken.None,
                choice.ExpiresAt(Clock.GetUtcNow()), choice.UntilRecovered);
            await RefreshAsync(live: false);
        }
    }

    private async Task ClearAsync(FailingInstance item)
    {
        if (await Access.ActAsAsync(ConsoleRoles.Operator) is not { } actor) return;
        await Acknowledgements.ClearAsync(item.Instance, actor, CancellationToken.None);
        await RefreshAsync(live: false);
    }

    public void Dispose() => _live?.Dispose();
}
