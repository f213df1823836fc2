// The preview's controls: dark mode (Anki's nightMode classes on every card), search and tag
// filters, hidden answers with a reveal button, a phone-width frame, and live reload.
(() => {
  "use strict";
  const root = document.documentElement;
  const $ = (id) => document.getElementById(id);

  // Declarative shadow roots for browsers that do not attach them while parsing.
  for (const template of document.querySelectorAll("template[shadowrootmode]")) {
    const host = template.parentElement;
    if (!host.shadowRoot) {
      host.attachShadow({ mode: "open" }).appendChild(template.content);
    }
    template.remove();
  }
  const cards = () => Array.from(document.querySelectorAll(".pv-host"), (host) => host.shadowRoot.querySelector(".card"));

  const store = {
    get: (key) => { try { return localStorage.getItem(key); } catch { return null; } },
    set: (key, value) => { try { localStorage.setItem(key, value); } catch { /* private mode */ } },
  };
  const embedded = new URLSearchParams(location.search).get("embed") === "phone";
  if (embedded) root.classList.add("pv-embedded");

  function setDark(on) {
    root.dataset.theme = on ? "dark" : "light";
    for (const card of cards()) {
      card.classList.toggle("nightMode", on); // what Anki puts on the card's body in night mode
      card.classList.toggle("night_mode", on);
    }
    $("pv-dark").setAttribute("aria-pressed", String(on));
    const frame = document.querySelector("#pv-phone-frame iframe");
    if (frame && frame.contentWindow) frame.contentWindow.postMessage({ dark: on }, "*");
  }
  const storedDark = store.get("deckbuilder-preview-dark");
  setDark(storedDark === null ? matchMedia("(prefers-color-scheme: dark)").matches : storedDark === "1");
  $("pv-dark").addEventListener("click", () => {
    const on = root.dataset.theme !== "dark";
    store.set("deckbuilder-preview-dark", on ? "1" : "0");
    setDark(on);
  });
  window.addEventListener("message", (event) => {
    if (event.data && typeof event.data.dark === "boolean") setDark(event.data.dark);
  });

  const search = $("pv-search");
  const tag = $("pv-tag");
  const count = $("pv-count");
  if (search && tag && count) {
    const articles = Array.from(document.querySelectorAll(".pv-card"));
    const filter = () => {
      const words = search.value.toLowerCase().split(/\s+/).filter(Boolean);
      let shown = 0;
      for (const article of articles) {
        const match = (!tag.value || article.dataset.tags.split(" ").includes(tag.value))
          && words.every((word) => article.dataset.text.includes(word));
        article.hidden = !match;
        shown += match ? 1 : 0;
      }
      count.textContent = shown === articles.length ? `${shown} cards` : `${shown} of ${articles.length} cards`;
    };
    search.addEventListener("input", filter);
    tag.addEventListener("change", filter);
  }

  const answers = $("pv-answers");
  if (answers) {
    answers.addEventListener("click", () => {
      const hide = root.classList.toggle("pv-quiz");
      answers.setAttribute("aria-pressed", String(hide));
      for (const pair of document.querySelectorAll(".pv-revealed")) pair.classList.remove("pv-revealed");
    });
    document.addEventListener("click", (event) => {
      const button = event.target.closest(".pv-reveal");
      if (button) button.closest(".pv-pair").classList.add("pv-revealed");
    });
  }

  const phone = $("pv-phone");
  if (phone && !embedded) {
    phone.addEventListener("click", () => {
      const on = root.classList.toggle("pv-phone-on");
      phone.setAttribute("aria-pressed", String(on));
      const holder = $("pv-phone-frame");
      holder.hidden = !on;
      if (on && !holder.firstChild) {
        const frame = document.createElement("iframe");
        frame.title = "The cards at phone width (390 px)";
        frame.src = `${location.pathname.split("/").pop()}?embed=phone`;
        frame.addEventListener("load", () => frame.contentWindow.postMessage({ dark: root.dataset.theme === "dark" }, "*"));
        holder.appendChild(frame);
      }
    });
  }

  // `deckbuilder preview --serve`: reload when a rebuild changes the pages; show build errors.
  if (document.body.dataset.live === "1") {
    const poll = async () => {
      try {
        const response = await fetch("version.json", { cache: "no-store" });
        const state = await response.json();
        if (state.version && state.version !== document.body.dataset.version) {
          location.reload();
          return;
        }
        $("pv-error").hidden = !state.error;
        $("pv-error").textContent = state.error || "";
      } catch { /* the server is restarting */ }
      setTimeout(poll, 700);
    };
    setTimeout(poll, 700);
  }
})();
