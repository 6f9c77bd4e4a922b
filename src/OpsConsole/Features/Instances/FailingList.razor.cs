using OpsConsole.Features.Auth;
using Microsoft.AspNetCore.Components;
using MudBlazor;
using OpsConsole.Features.Records;

namespace OpsConsole.Features.Instances;

/// <summary>The home page: failing instances with filters carried in the URL, family chips, acknowledge/mute, live.</summary>
public partial class FailingList
{
    private MudTable<FailingInstance>? _table;
    private FailingView _view = new();
    private Dictionary<string, int> _familyCounts = [];
    private IReadOnlyList<string> _sources = [];
    private bool _empty;
    private LiveRefresh? _live;

    [Inject] private InstanceQueries Instances { get; set; } = default!;
    [Inject] private InstanceAcknowledgements Acknowledgements { get; set; } = default!;
    [Inject] private IRecordChangeFeed Changes { get; set; } = default!;
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
    [SupplyParameterFromQuery(Name = "q")] public string? Search { get; set; }
    [SupplyParameterFromQuery] public bool? Muted { get; set; }
    [SupplyParameterFromQuery] public string? Sort { get; set; }
    [SupplyParameterFromQuery] public string? Order { get; set; }

    private string BaseUrl => Navigation.BaseUri;

    protected override void OnInitialized() =>
        _live = new LiveRefresh(Changes, _ => true, () => InvokeAsync(RefreshAsync), TimeSpan.FromMilliseconds(500));

    protected override async Task OnParametersSetAsync()
    {
        var view = FailingView.From(Kind, Family, Category, Severity, Source, Range, Search, Muted ?? false);
        var changed = view != _view;
        _view = view;
        _sources = await Instances.SourcesAsync(CancellationToken.None);
        await LoadCountsAsync();
        if (changed && _table is not null) await _table.ReloadServerData();
    }

    private FailingSort SortBy => Enum.TryParse<FailingSort>(Sort, ignoreCase: true, out var sort) ? sort : FailingSort.LastFailure;

    private SortDirection SortInitial(FailingSort column) => column != SortBy ? SortDirection.None
        : string.Equals(Order, "asc", StringComparison.OrdinalIgnoreCase) ? SortDirection.Ascending : SortDirection.Descending;

    private async Task<TableData<FailingInstance>> LoadAsync(TableState state, CancellationToken cancellationToken)
    {
        var sort = Enum.TryParse<FailingSort>(state.SortLabel, ignoreCase: true, out var label) ? label : SortBy;
        var descending = state.SortDirection != SortDirection.Ascending;
        if (state.SortLabel is { Length: > 0 } && (sort != SortBy || descending != !string.Equals(Order, "asc", StringComparison.OrdinalIgnoreCase)))
            Navigation.NavigateTo(Navigation.GetUriWithQueryParameters(new Dictionary<string, object?>
            {
                ["sort"] = sort == FailingSort.LastFailure ? null : sort.ToString().ToLowerInvariant(),
                ["order"] = descending ? null : "asc",
            }), replace: true);
        var page = await Instances.FailingAsync(_view.ToFilter(Clock.GetUtcNow()), sort, descending, state.Page * state.PageSize, state.PageSize, cancellationToken);
        return new TableData<FailingInstance> { Items = page.Items, TotalItems = page.Total };
    }

    private async Task LoadCountsAsync()
    {
        _familyCounts = await Instances.FailingByFamilyAsync(_view.ToFilter(Clock.GetUtcNow()), CancellationToken.None);
        // Nothing failing and no source ever seen: nothing has been sent yet.
        _empty = _familyCounts.Count == 0 && _sources.Count == 0;
    }

    private async Task RefreshAsync()
    {
        _sources = await Instances.SourcesAsync(CancellationToken.None);
        await LoadCountsAsync();
        if (_table is not null) await _table.ReloadServerData();
        StateHasChanged();
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
            await RefreshAsync();
        }
    }

    private async Task ClearAsync(FailingInstance item)
    {
        if (await Access.ActAsAsync(ConsoleRoles.Operator) is not { } actor) return;
        await Acknowledgements.ClearAsync(item.Instance, actor, CancellationToken.None);
        await RefreshAsync();
    }

    private static string RowClass(FailingInstance item, int index) =>
        item.Acknowledgement?.Status == InstanceAcknowledgement.Muted ? "muted-row"
        : item.Acknowledgement is not null && !item.FailedSinceAcknowledged ? "acknowledged-row" : "";

    public void Dispose() => _live?.Dispose();
}
