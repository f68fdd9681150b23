// The sandbox page: report what a person does to the server, and re-render the parts that changed.
// The server builds Slack's payloads and the HTML; this file only moves values and fragments around.
"use strict";

const page = document.body.dataset;
const shown = {}; // part name -> the HTML last put there, to touch only what changed

async function post(action, fields) {
  const body = new URLSearchParams({ as: page.as, in: page.in, ...fields });
  const response = await fetch("/sandbox/" + action, { method: "POST", body });
  return response.json();
}

// -- live parts: long-poll the server, replace a part only when its HTML changed ------------------
function place(name, html) {
  const part = document.getElementById("part-" + name);
  if (!part || shown[name] === html) return;
  const first = !(name in shown);
  shown[name] = html;
  const list = part.querySelector(".messages");
  const following = list && list.scrollHeight - list.scrollTop - list.clientHeight < 60;
  if (!patchMessages(part, html)) part.innerHTML = html;
  const now = part.querySelector("[data-scroll]");
  if (now && (first || following)) now.scrollTop = now.scrollHeight;
}

// A conversation changes one message at a time: keep the unchanged ones (and the button under the
// pointer) in place, replace the ones that changed, add the new ones.
function patchMessages(part, html) {
  const next = document.createElement("div");
  next.innerHTML = html;
  const list = part.querySelector(".messages"), nextList = next.querySelector(".messages");
  const head = (root) => root.querySelector(".conv-head")?.outerHTML;
  if (!list || !nextList || head(part) !== head(next)) return false;
  const current = new Map([...list.children].map((node) => [node.dataset.key, node]));
  const wanted = [...nextList.children].map((node) => {
    const same = current.get(node.dataset.key);
    return same && same.outerHTML === node.outerHTML ? same : node;
  });
  const unchanged = wanted.length === list.children.length && wanted.every((node, i) => node === list.children[i]);
  if (!unchanged) list.replaceChildren(...wanted);
  return true;
}

async function follow() {
  let version = -1, sending = -1;
  for (;;) {
    try {
      const query = new URLSearchParams({ as: page.as, in: page.in, thread: page.thread, since: version, sending });
      const answer = await (await fetch("/sandbox/parts?" + query)).json();
      version = answer.version;
      sending = answer.sending;
      for (const [name, html] of Object.entries(answer.parts)) place(name, html);
      document.querySelector(".app").classList.toggle("with-thread", Boolean(answer.parts.thread));
    } catch (error) {
      await new Promise((resume) => setTimeout(resume, 1000)); // the sandbox restarted, or is gone
    }
  }
}

// -- confirm dialogs (an element's `confirm` object) ---------------------------------------------
function confirmed(element) {
  if (!element.dataset.confirm) return Promise.resolve(true);
  const spec = JSON.parse(element.dataset.confirm);
  const dialog = document.getElementById("confirm");
  dialog.querySelector("h3").textContent = spec.title;
  dialog.querySelector("p").textContent = spec.text;
  dialog.querySelector(".ok").textContent = spec.confirm;
  dialog.querySelector(".deny").textContent = spec.deny;
  dialog.showModal();
  return new Promise((resolve) => dialog.addEventListener("close", () => resolve(dialog.returnValue === "yes"), { once: true }));
}

// -- interactive elements --------------------------------------------------------------------------
function formFields(form) {
  const fields = new URLSearchParams();
  if (form) for (const [name, value] of new FormData(form)) fields.append(name, value);
  return fields;
}

function pickedValues(element) {
  if (element.tagName === "SELECT") return [...element.selectedOptions].map((option) => option.value);
  if (element.type === "checkbox" || element.type === "radio") {
    const group = element.form ? element.form.querySelectorAll(`[name="${CSS.escape(element.name)}"]`) : [element];
    return [...group].filter((box) => box.checked).map((box) => box.value);
  }
  return [element.value];
}

async function act(element) {
  if (!(await confirmed(element))) return;
  const container = element.closest("[data-source]");
  const form = element.closest("form");
  const fields = container.dataset.source === "view" ? formFields(form) : new URLSearchParams();
  fields.set("as", page.as);
  fields.set("in", page.in);
  fields.set("_source", container.dataset.source);
  fields.set("_channel", container.dataset.channel || "");
  fields.set("_ts", container.dataset.ts || "");
  fields.set("_view", container.dataset.view || "");
  fields.set("_block", element.dataset.blockRef);
  fields.set("_action", element.dataset.action);
  for (const value of pickedValues(element)) fields.append("_value", value);
  element.closest("details")?.removeAttribute("open");
  const answer = await (await fetch("/sandbox/action", { method: "POST", body: fields })).json();
  if (answer.error) alert(answer.error);
}

document.addEventListener("click", async (event) => {
  const target = event.target;
  const jump = target.closest("[data-jump]");
  if (jump) {
    jump.disabled = true;
    try { await post("clock", { jump: jump.dataset.jump }); } finally { jump.disabled = false; }
    return;
  }
  const dismiss = target.closest("[data-dismiss]");
  if (dismiss) return post("dismiss", { _ts: dismiss.dataset.dismiss });
  const close = target.closest("[data-close]");
  if (close) return post("close", { _view: close.closest("[data-view]").dataset.view });
  const button = target.closest("button[data-action]");
  if (button) act(button);
});

document.addEventListener("change", (event) => {
  const element = event.target;
  if (element.matches("select[data-action], input[data-action]")) act(element);
  if (element.id === "as") location.search = new URLSearchParams({ as: element.value, in: "" }).toString();
});

document.addEventListener("submit", async (event) => {
  const form = event.target;
  event.preventDefault();
  if (form.id === "composer") {
    if (mentions.choose()) return; // Enter picks the highlighted person, as in Slack's menu
    const text = form.elements.text.value;
    const body = new URLSearchParams({ as: page.as, in: page.in, text, _thread: "" });
    for (const id of mentions.picked) body.append("_mention", id);
    form.elements.text.value = "";
    mentions.reset();
    await fetch("/sandbox/send", { method: "POST", body });
    return;
  }
  if (!form.classList.contains("modal")) return;
  const fields = formFields(form);
  fields.set("as", page.as);
  fields.set("in", page.in);
  fields.set("_view", form.dataset.view);
  form.querySelectorAll(".bk-error, .modal-error").forEach((slot) => (slot.textContent = ""));
  const answer = await (await fetch("/sandbox/submit", { method: "POST", body: fields })).json();
  for (const [block, message] of Object.entries(answer.errors || {})) {
    const slot = form.querySelector(`[data-block="${CSS.escape(block)}"] .bk-error`);
    (slot || form.querySelector(".modal-error")).textContent = message;
  }
  if (answer.error) form.querySelector(".modal-error").textContent = answer.error;
});

// -- the composer's @ menu: typing `@` offers the workspace's people; picking one puts their name in the
// box and remembers who it is, so the server sends a mention (<@U…|name>) where that name still stands.
// A name typed without the menu stays text, as in Slack.
const mentions = (() => {
  const form = document.getElementById("composer");
  const people = form ? JSON.parse(form.dataset.people || "[]") : [];
  const menu = form?.querySelector(".mention-menu");
  const input = form?.elements.text;
  const state = { picked: [], shown: [], active: 0, start: -1 };

  function query() { // the `@word` just before the caret, if any
    const before = input.value.slice(0, input.selectionStart);
    const match = /(^|\s)@([^\s@]*)$/.exec(before);
    return match ? { start: before.length - match[2].length - 1, text: match[2].toLowerCase() } : null;
  }
  function close() { menu.hidden = true; state.shown = []; }
  function render() {
    menu.replaceChildren(...state.shown.map((person, i) => {
      const item = document.createElement("li");
      item.setAttribute("role", "option");
      item.dataset.user = person.id;
      item.className = i === state.active ? "active" : "";
      item.textContent = `${person.label.slice(1)} — ${person.title}`;
      return item;
    }));
    menu.hidden = state.shown.length === 0;
  }
  function update() {
    const found = query();
    if (!found) return close();
    const words = (person) => [person.handle, ...person.label.slice(1).toLowerCase().split(/\s+/)];
    state.shown = people.filter((person) => words(person).some((word) => word.startsWith(found.text)));
    state.active = 0;
    state.start = found.start;
    render();
  }
  function pick(person) {
    const end = input.selectionStart;
    const label = person.label + " ";
    input.value = input.value.slice(0, state.start) + label + input.value.slice(end);
    input.setSelectionRange(state.start + label.length, state.start + label.length);
    state.picked.push(person.id);
    close();
    input.focus();
  }
  if (form) {
    input.addEventListener("input", update);
    input.addEventListener("keydown", (event) => {
      if (menu.hidden) return;
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        const step = event.key === "ArrowDown" ? 1 : state.shown.length - 1;
        state.active = (state.active + step) % state.shown.length;
        render();
      } else if (event.key === "Tab") {
        event.preventDefault();
        pick(state.shown[state.active]);
      } else if (event.key === "Escape") {
        close();
      }
    });
    menu.addEventListener("mousedown", (event) => { // before the input loses its focus
      const item = event.target.closest("[data-user]");
      if (!item) return;
      event.preventDefault();
      pick(people.find((person) => person.id === item.dataset.user));
    });
  }
  return {
    picked: state.picked,
    choose() {
      if (!menu || menu.hidden || !state.shown.length) return false;
      pick(state.shown[state.active]);
      return true;
    },
    reset() { state.picked.length = 0; close(); },
  };
})();

// The Home tab: Slack tells the app each time a person opens it.
if (page.in === "home") post("home", {});
follow();
