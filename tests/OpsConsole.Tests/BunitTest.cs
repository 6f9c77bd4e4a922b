using Bunit;
using MudBlazor.Services;

namespace OpsConsole.Tests;

/// <summary>
/// Base for component tests: MudBlazor services and loose JS interop. MudBlazor's services only dispose
/// asynchronously, so xUnit disposes the context through <see cref="IAsyncLifetime"/>.
/// </summary>
public abstract class BunitTest : BunitContext, IAsyncLifetime
{
    protected BunitTest()
    {
        Services.AddMudServices();
        JSInterop.Mode = JSRuntimeMode.Loose;
    }

    Task IAsyncLifetime.InitializeAsync() => Task.CompletedTask;

    Task IAsyncLifetime.DisposeAsync() => DisposeAsync().AsTask();
}
