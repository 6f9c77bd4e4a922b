// OpsConsole: small page behaviours that need no Blazor round trip.

async function copyText(text) {
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
}

// Copy buttons on runbook command blocks copy the command as shown: placeholders filled in, and one the record
// could not fill as <name> (what to substitute), never as {{name}} braces a shell would pass on.
document.addEventListener("click", async (event) => {
  const button = event.target instanceof Element ? event.target.closest(".copy-code") : null;
  if (!button) return;
  const code = button.parentElement?.querySelector("pre");
  if (!code) return;
  const copy = code.cloneNode(true);
  copy.querySelectorAll(".placeholder.missing").forEach(p => { p.textContent = `<${p.dataset.placeholder}>`; });
  await copyText(copy.textContent.replace(/\n$/, ""));
  button.textContent = "Copied";
  button.classList.add("copied");
  setTimeout(() => { button.textContent = "Copy"; button.classList.remove("copied"); }, 1500);
});

// Small copy buttons (an instance's full name) copy their data-copy text.
document.addEventListener("click", async (event) => {
  const button = event.target instanceof Element ? event.target.closest(".copy-text[data-copy]") : null;
  if (!button) return;
  event.preventDefault();
  await copyText(button.dataset.copy);
  button.classList.add("copied");
  setTimeout(() => button.classList.remove("copied"), 1500);
});

// Failing list keys: / search, j/k move, Enter opens, a acknowledges, ? help (also the ? button).
(() => {
  const help = () => document.querySelector(".shortcut-help");
  const toggleHelp = () => { const h = help(); if (h) h.hidden = !h.hidden; };
  document.addEventListener("click", (event) => {
    if (event.target instanceof Element && event.target.closest(".shortcuts-toggle")) toggleHelp();
  });
  const move = (list, row) => {
    if (!row) return;
    list.querySelector("tr.keyboard-current")?.classList.remove("keyboard-current");
    row.classList.add("keyboard-current");
    // The focused link makes Enter open the instance, as a browser does by itself.
    row.querySelector(".instance-link")?.focus();
    row.scrollIntoView({ block: "nearest" });
  };
  document.addEventListener("keydown", (event) => {
    const list = document.querySelector(".failing-list");
    if (!list || event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key === "Escape" && help() && !help().hidden) { help().hidden = true; return; }
    const target = event.target;
    const typing = target instanceof HTMLElement && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
    if (typing || document.querySelector(".mud-dialog-container")) return;
    const rows = [...list.querySelectorAll("tbody tr.failing-row")];
    const current = list.querySelector("tbody tr.keyboard-current");
    const index = rows.indexOf(current);
    switch (event.key) {
      case "/":
        event.preventDefault();
        document.querySelector(".filter-search input")?.focus();
        break;
      case "?":
        toggleHelp();
        break;
      case "j":
        event.preventDefault();
        move(list, rows[Math.min(rows.length - 1, index + 1)]);
        break;
      case "k":
        event.preventDefault();
        move(list, rows[Math.max(0, index - 1)]);
        break;
      case "a":
        current?.querySelector(".acknowledge")?.click();
        break;
    }
  });
})();

// Theme choice per browser; the layout reads it after the first render.
window.opsConsole = window.opsConsole || {};
window.opsConsole.theme = {
  get: () => { try { return localStorage.getItem("opsconsole.theme"); } catch { return null; } },
  set: (value) => { try { localStorage.setItem("opsconsole.theme", value); } catch { /* private mode */ } },
};

// Set once the Blazor circuit runs (the layout calls it after its first interactive render); browser tests wait for it.
window.opsConsole.markInteractive = () => { document.body.dataset.interactive = "true"; };

// Panels fill the screen and never scroll: a panel table shows as many rows as fit, "and N more" counts the rest.
(() => {
  const fit = () => {
    for (const table of document.querySelectorAll(".embed table.panel-fit")) {
      const rows = [...(table.tBodies[0]?.rows ?? [])];
      rows.forEach(r => { r.hidden = false; });
      const more = table.parentElement.querySelector(".panel-more");
      if (more) more.hidden = false;
      const bottom = window.innerHeight - (more ? more.offsetHeight : 0) - 12;
      let shown = rows.findIndex(r => r.getBoundingClientRect().bottom > bottom);
      if (shown < 0) shown = rows.length;
      rows.slice(shown).forEach(r => { r.hidden = true; });
      table.dataset.shown = String(shown);
      if (more) {
        const rest = Number(table.dataset.total || rows.length) - shown;
        const text = `and ${rest} more`;
        if (more.textContent !== text) more.textContent = text;
        more.hidden = rest <= 0;
      }
    }
  };
  let queued = false;
  const schedule = () => { if (!queued) { queued = true; requestAnimationFrame(() => { queued = false; fit(); }); } };
  const start = () => {
    if (!document.querySelector(".embed")) return;
    new MutationObserver(schedule).observe(document.body, { childList: true, subtree: true });
    addEventListener("resize", schedule);
    schedule();
  };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start); else start();
})();

// Lost circuits: Blazor toggles classes on #components-reconnect-modal. While the circuit is down the page is marked
// stale (dimmed, with a banner saying since when), so a wall whose server is gone never looks live. When the server
// no longer knows the circuit (restart) or gives up reconnecting, reload, and keep trying, so a wall heals by itself.
(() => {
  const watch = () => {
    const badge = document.getElementById("components-reconnect-modal");
    if (!badge) return;
    let pending = null;
    let since = null;
    new MutationObserver(() => {
      const down = ["components-reconnect-show", "components-reconnect-failed", "components-reconnect-rejected"].some(c => badge.classList.contains(c));
      if (down && !since) {
        since = new Date();
        badge.textContent = `Disconnected since ${since.toISOString().slice(11, 19)} UTC: what is shown may be stale. Reconnecting…`;
      }
      if (!down) since = null;
      if (down) document.body.dataset.connection = "lost"; else delete document.body.dataset.connection;
      const lost = badge.classList.contains("components-reconnect-rejected") || badge.classList.contains("components-reconnect-failed");
      // Reload once the console answers its liveness probe again (the page itself may need a token).
      if (lost && !pending) pending = setInterval(() => fetch(new URL("healthz", document.baseURI), { cache: "no-store" })
        .then(r => { if (r.ok) location.reload(); }).catch(() => {}), 3000);
    }).observe(badge, { attributes: true, attributeFilter: ["class"] });
  };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", watch); else watch();
})();
