using Microsoft.AspNetCore.Components;

namespace OpsConsole.Features.Embed;

/// <summary>A live panel: loads its data, and loads again (then re-renders in place) whenever <see cref="PanelData"/> changes.</summary>
public abstract class PanelBase : ComponentBase, IDisposable
{
    [Inject] protected PanelData Data { get; set; } = default!;
    [Inject] protected TimeProvider Clock { get; set; } = default!;

    /// <summary>Replaces the panel's own heading (<c>?title=</c>).</summary>
    [Parameter] public string? Title { get; set; }

    protected abstract Task LoadAsync();

    protected override void OnInitialized() => Data.Changed += OnDataChanged;

    protected override Task OnParametersSetAsync() => LoadAsync();

    private void OnDataChanged() => _ = InvokeAsync(async () =>
    {
        await LoadAsync();
        StateHasChanged();
    });

    public void Dispose()
    {
        Data.Changed -= OnDataChanged;
        GC.SuppressFinalize(this);
    }
}
