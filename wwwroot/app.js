// OpsConsole: small page behaviours that need no Blazor round trip.

// Copy buttons on runbook command blocks copy the command as shown, placeholders filled in.
document.addEventListener("click", async (event) => {
  const button = event.target instanceof Element ? event.target.closest(".copy-code") : null;
  if (!button) return;
  const code = button.parentElement?.querySelector("pre");
  if (!code) return;
  const text = code.innerText.replace(/\n$/, "");
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    // Plain-http consoles have no clipboard API; fall back to a selection copy.
    const area = document.createElement("textarea");
    area.value = text;
    document.body.appendChild(area);
    area.select();
    document.execCommand("copy");
    area.remove();
  }
  button.textContent = "Copied";
  button.classList.add("copied");
  setTimeout(() => { button.textContent = "Copy"; button.classList.remove("copied"); }, 1500);
});

// Theme choice per browser; the layout reads it after the first render.
window.opsConsole = window.opsConsole || {};
window.opsConsole.theme = {
  get: () => { try { return localStorage.getItem("opsconsole.theme"); } catch { return null; } },
  set: (value) => { try { localStorage.setItem("opsconsole.theme", value); } catch { /* private mode */ } },
};

// Set once the Blazor circuit runs (the layout calls it after its first interactive render); browser tests wait for it.
window.opsConsole.markInteractive = () => { document.body.dataset.interactive = "true"; };

// Lost circuits: Blazor toggles classes on #components-reconnect-modal. When the server no longer knows the
// circuit (restart) or gives up reconnecting, reload, and keep trying, so a wall screen heals by itself.
(() => {
  const watch = () => {
    const badge = document.getElementById("components-reconnect-modal");
    if (!badge) return;
    let pending = null;
    new MutationObserver(() => {
      const lost = badge.classList.contains("components-reconnect-rejected") || badge.classList.contains("components-reconnect-failed");
      // Reload once the console answers its liveness probe again (the page itself may need a token).
      if (lost && !pending) pending = setInterval(() => fetch(new URL("healthz", document.baseURI), { cache: "no-store" })
        .then(r => { if (r.ok) location.reload(); }).catch(() => {}), 3000);
    }).observe(badge, { attributes: true, attributeFilter: ["class"] });
  };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", watch); else watch();
})();
