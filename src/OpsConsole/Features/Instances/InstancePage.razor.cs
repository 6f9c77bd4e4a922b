using OpsConsole.Data.Notices;
using OpsConsole.Features.Auth;
using Microsoft.AspNetCore.Components;
using MudBlazor;
using OpsConsole.Features.Records;
using OpsConsole.Features.Instances.Timeline;
using OpsConsole.Features.Runbooks;
using OpsConsole.Sources;

namespace OpsConsole.Features.Instances;

/// <summary>One instance: identity and state, a per-kind view of where it failed, and its grouped timeline; live.</summary>
public partial class InstancePage
{
    private InstanceState? _state;
    private InstanceAcknowledgement? _ack;
    private IReadOnlyList<RecordDto> _records = [];
    private IReadOnlyList<TimelineGroup> _groups = [];
    private LiveRefresh? _live;
    private InstanceIdentity _identity = default!;

    /// <summary>The source's own view of where it failed (deployment pipeline, request trace, boot sequence, exits), if it has one.</summary>
    private Type? _view;

    /// <summary>Where to look at it in the source system itself (console pages, commands).</summary>
    private IReadOnlyList<SourceLink> _links = [];

    [Inject] private InstanceQueries Instances { get; set; } = default!;
    [Inject] private RecordQueries Records { get; set; } = default!;
    [Inject] private RunbookProgress Progress { get; set; } = default!;
    [Inject] private InstanceAcknowledgements Acknowledgements { get; set; } = default!;
    [Inject] private ICommitFeed Changes { get; set; } = default!;
    [Inject] private IDialogService Dialogs { get; set; } = default!;
    [Inject] private TimeProvider Clock { get; set; } = default!;
    [Inject] private ConsoleAccess Access { get; set; } = default!;
    [Inject] private Microsoft.Extensions.Options.IOptions<SourceLinkOptions> LinkOptions { get; set; } = default!;

    [Parameter] public string? Key { get; set; }

    private string InstanceKey => Uri.UnescapeDataString(Key ?? "");

    protected override async Task OnParametersSetAsync()
    {
        _live?.Dispose();
        var key = InstanceKey;
        _live = new LiveRefresh(Changes, notice => notice.Touches(key), () => InvokeAsync(ReloadAsync));
        await LoadAsync();
    }

    private async Task LoadAsync()
    {
        var key = InstanceKey;
        _state = await Instances.FindAsync(key, CancellationToken.None);
        if (_state is null) return;
        _identity = _state.ToIdentity();
        var profile = SourceProfiles.For(_state.Source, _state.Kind);
        _view = profile.InstanceView(_identity.Parts);
        var newest = await Records.FindRecordAsync(_state.LastRecordId, CancellationToken.None);
        using (var item = newest?.ParseRaw())
            _links = profile.LinksTo(_identity.Parts, LinkOptions.Value, item?.RootElement);
        _ack = await Instances.AcknowledgementAsync(key, CancellationToken.None);
        _records = await Records.TimelineAsync(key, 500, CancellationToken.None);
        _groups = TimelineGroups.For(_records, await Progress.ForInstanceAsync(key, CancellationToken.None));
    }

    private async Task ReloadAsync()
    {
        await LoadAsync();
        StateHasChanged();
    }

    private async Task AcknowledgeAsync()
    {
        var dialog = await Dialogs.ShowAsync<AcknowledgeDialog>($"Acknowledge or mute {_state!.DisplayName}");
        if (await dialog.Result is { Canceled: false, Data: AcknowledgeDialog.Choice choice } && await Access.ActAsAsync(ConsoleRoles.Operator) is { } actor)
        {
            await Acknowledgements.SetAsync(_state.InstanceKey, choice.Status, choice.Note, actor, CancellationToken.None,
                choice.ExpiresAt(Clock.GetUtcNow()), choice.UntilRecovered);
            await ReloadAsync();
        }
    }

    private async Task ClearAsync()
    {
        if (await Access.ActAsAsync(ConsoleRoles.Operator) is not { } actor) return;
        await Acknowledgements.ClearAsync(_state!.InstanceKey, actor, CancellationToken.None);
        await ReloadAsync();
    }

    public void Dispose() => _live?.Dispose();
}
