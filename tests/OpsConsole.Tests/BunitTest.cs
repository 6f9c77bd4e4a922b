using Bunit;
using Bunit.TestDoubles;
using MudBlazor.Services;
using OpsConsole.Features.Auth;

namespace OpsConsole.Tests;

/// <summary>
/// Base for component tests: MudBlazor services, loose JS interop, and a signed-in Operator (tests narrow it through
/// <see cref="Authorization"/>). MudBlazor's services only dispose
/// asynchronously, so xUnit disposes the context through <see cref="IAsyncLifetime"/>.
/// </summary>
public abstract class BunitTest : BunitContext, IAsyncLifetime
{
    protected BunitTest()
    {
        Services.AddMudServices();
        JSInterop.Mode = JSRuntimeMode.Loose;
        Authorization = AddAuthorization();
        Authorization.SetAuthorized("operator@test.local");
        Authorization.SetPolicies(ConsolePolicies.Viewer, ConsolePolicies.Operator);
    }

    protected BunitAuthorizationContext Authorization { get; }

    Task IAsyncLifetime.InitializeAsync() => Task.CompletedTask;

    Task IAsyncLifetime.DisposeAsync() => DisposeAsync().AsTask();
}
