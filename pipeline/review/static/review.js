// The reviewer's page. Data is never turned into markup here: evidence is copied from elements the server
// rendered (escaped by jinja2), messages are set with textContent, and every request carries the token.
"use strict";
(function () {
  const token = document.body.dataset.token || "";
  const status = document.getElementById("status");
  const view = document.getElementById("evidence-view");

  function say(message, isError) {
    status.textContent = message;
    status.className = isError ? "error" : "";
  }

  function select(selector, element) {
    document.querySelectorAll(selector).forEach((e) => e.classList.remove("selected"));
    if (element) element.classList.add("selected");
  }

  function showEvidence(link) {
    const id = link.dataset.evidence;
    const stored = document.getElementById("ev-" + id);
    view.replaceChildren();
    if (stored) {
      view.appendChild(stored.cloneNode(true)).removeAttribute("id");
    } else {
      const missing = document.createElement("p");
      missing.className = "missing";
      missing.textContent = id + ": no such evidence.";
      view.appendChild(missing);
    }
    select("a.cite", link);
    view.scrollIntoView({ block: "nearest" });
  }

  function showFinding(index) {
    const card = document.getElementById("card-" + index);
    const mark = document.getElementById("finding-" + index);
    select(".finding-card", card);
    select("mark.finding", mark);
    if (card) card.scrollIntoView({ block: "nearest" });
  }

  async function decide(button, extra) {
    const body = { action: button.dataset.action, version: document.getElementById("version").textContent };
    if (button.dataset.key) body.key = button.dataset.key;
    if (button.dataset.decision) body.decision = button.dataset.decision;
    Object.assign(body, extra || {});
    document.querySelectorAll("button[data-action]").forEach((b) => (b.disabled = true));
    say("saving…", false);
    try {
      const response = await fetch("/api/decision", {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-Review-Token": token },
        body: JSON.stringify(body),
        credentials: "omit",
        cache: "no-store",
      });
      const answer = await response.json().catch(() => ({ error: "the server sent no answer" }));
      if (!response.ok) throw new Error(answer.error || response.statusText);
      window.location.reload();
    } catch (error) {
      say(String(error.message || error), true);
      document.querySelectorAll("button[data-action]").forEach((b) => (b.disabled = false));
    }
  }

  function openEditor(button) {
    const tools = button.closest(".item-tools");
    if (tools.nextElementSibling && tools.nextElementSibling.classList.contains("item-editor")) return;
    const editor = document.createElement("span");
    editor.className = "item-editor";
    const area = document.createElement("textarea");
    area.value = button.dataset.source; // the item's markdown, as text
    area.rows = Math.min(8, area.value.split("\n").length + 1);
    const save = document.createElement("button");
    save.type = "button";
    save.className = "save";
    save.textContent = "Save edit";
    save.dataset.action = "edit";
    save.dataset.key = button.dataset.edit;
    const cancel = document.createElement("button");
    cancel.type = "button";
    cancel.textContent = "Cancel";
    cancel.addEventListener("click", () => editor.remove());
    save.addEventListener("click", (event) => {
      event.stopPropagation();
      decide(save, { source: area.value });
    });
    editor.append(area, save, cancel);
    tools.after(editor);
    area.focus();
  }

  async function searchSimilar(button) {
    const list = document.getElementById("similar-results");
    button.disabled = true;
    say("searching the incident library…", false);
    try {
      const response = await fetch("/api/similar?token=" + encodeURIComponent(token), { cache: "no-store" });
      const answer = await response.json().catch(() => ({ error: "the server sent no answer" }));
      if (!response.ok) throw new Error(answer.error || response.statusText);
      list.replaceChildren();
      for (const incident of answer.incidents) {
        const item = document.createElement("li");
        const title = document.createElement("strong");
        title.textContent = incident.title;
        const why = document.createElement("span");
        why.className = "why";
        why.textContent = " (" + incident.id + ", score " + incident.score + "): " + incident.why;
        item.append(title, why);
        list.appendChild(item);
      }
      say(answer.incidents.length + " similar incident(s) from " + answer.library, false);
    } catch (error) {
      say(String(error.message || error), true);
    } finally {
      button.disabled = false;
    }
  }

  document.addEventListener("click", (event) => {
    const target = event.target instanceof Element ? event.target : null;
    if (!target) return;
    const link = target.closest("a.cite");
    if (link) {
      event.preventDefault();
      showEvidence(link);
      return;
    }
    if (target.closest("#similar-search")) {
      searchSimilar(target.closest("#similar-search"));
      return;
    }
    const editButton = target.closest("button[data-edit]");
    if (editButton) {
      openEditor(editButton);
      return;
    }
    const button = target.closest("button[data-action]");
    if (button && !button.closest(".item-editor")) {
      decide(button);
      return;
    }
    const mark = target.closest("mark.finding, .finding-card");
    if (mark) showFinding(mark.dataset.finding);
  });
  document.addEventListener("keydown", (event) => {
    const target = event.target instanceof Element ? event.target : null;
    if (target && event.key === "Enter" && target.matches("mark.finding")) showFinding(target.dataset.finding);
  });
})();
