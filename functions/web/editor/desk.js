// The desk (issue 11): what an editor does many times a day, in fewer steps. Selection of queue rows
// (x, shift+x) and bulk claim / release / reject, every action on a key (? lists them), the admins'
// reply templates, and the requester's and the article's other requests one click away.
// It uses the page's own functions (window.corrigoPage, editor.js) and the server's vocabulary;
// anything a requester wrote goes in with textContent only.
(function () {
  "use strict";
  const D = {
    zh: { requester_others: "该申请人的其他申请", article_others: "同一稿件的其他申请", bulk_claim: "认领所选", bulk_release: "退回所选",
      bulk_reject: "所选不予修改…", help_button: "快捷键 ?", templates_button: "回复模板", help_title: "键盘快捷键", help_key: "按键", help_does: "作用",
      help_typing: "在输入框中打字时，快捷键不起作用。", close: "关闭", confirm: "确定", cancel: "取消", save: "保存",
      bulk_reply: "统一回复（选填；可用下列占位符。留空则按每份申请的语言使用已保存的“不予修改”模板）", templates_title: "回复模板", outcome: "处理结果",
      template_zh: "中文模板", template_en: "英文模板", selected: "已选 {n} 份", none_selected: "未选择（按 x 选择）", none: "无",
      reject_title: "将以下 {n} 份申请处理为“不予修改”，并通知申请人？", results: "{ok} 份成功，{failed} 份未成功", placeholders: "可用占位符：",
      saved_by: "已保存：{who}，{when}", file_default: "尚未保存，显示的是默认模板", saved_now: "已保存",
      k_move: "在队列中上下移动", k_open: "打开所选申请", k_search: "搜索", k_select: "选中 / 取消选中当前申请", k_range: "从上次选中处连续选到当前申请",
      k_all: "选中队列中显示的全部申请", k_clear: "清除选择（或关闭对话框）", k_claim: "认领（有选中时：批量认领）", k_release: "退回队列（有选中时：批量退回）",
      k_reject: "不予修改（有选中时：批量；先确认）", k_reopen: "重新打开", k_qrelease: "核查通过，放入队列", k_ask: "向申请人提问（跳到输入框）",
      k_decide: "作出决定（跳到处理结果）", k_note: "添加内部备注（跳到输入框）", k_merge: "合并至（跳到输入框）", k_related: "跳到该申请人的其他申请",
      k_templates: "编辑回复模板（管理员）", k_help: "显示本帮助" },
    en: { requester_others: "This requester's other requests", article_others: "Other requests on this article", bulk_claim: "Claim selected",
      bulk_release: "Release selected", bulk_reject: "Reject selected…", help_button: "Shortcuts ?", templates_button: "Reply templates",
      help_title: "Keyboard shortcuts", help_key: "Key", help_does: "Does", help_typing: "Shortcuts do nothing while you type in a field.",
      close: "Close", confirm: "Confirm", cancel: "Cancel", save: "Save",
      bulk_reply: "One reply for all (optional; placeholders below. Empty: each requester gets the saved rejection template in their language)",
      templates_title: "Reply templates", outcome: "Outcome", template_zh: "Chinese template", template_en: "English template",
      selected: "{n} selected", none_selected: "Nothing selected (x selects)", none: "none",
      reject_title: "Reject these {n} requests and tell each requester?", results: "{ok} done, {failed} not done", placeholders: "Placeholders: ",
      saved_by: "Saved by {who}, {when}", file_default: "Not saved yet: this is the default", saved_now: "Saved",
      k_move: "Move in the queue", k_open: "Open the request", k_search: "Search", k_select: "Select / unselect this request", k_range: "Select from the last selected to this one",
      k_all: "Select every request shown", k_clear: "Clear the selection (or close a dialog)", k_claim: "Claim (with a selection: claim them all)",
      k_release: "Release (with a selection: release them all)", k_reject: "Reject (with a selection: all of them; you confirm first)", k_reopen: "Reopen",
      k_qrelease: "Release from quarantine to the queue", k_ask: "Ask the requester (to the text box)", k_decide: "Decide (to the outcome)",
      k_note: "Add an internal note (to the text box)", k_merge: "Merge into (to the box)", k_related: "To this requester's other requests",
      k_templates: "Edit reply templates (admins)", k_help: "Show this help" },
  };
  // Every shortcut, as the help dialog lists it: [keys shown, what it does].
  const SHORTCUTS = [["j / k, ↓ / ↑", "k_move"], ["Enter", "k_open"], ["/", "k_search"], ["x", "k_select"], ["Shift + x", "k_range"],
    ["Shift + a", "k_all"], ["Esc", "k_clear"], ["c", "k_claim"], ["r", "k_release"], ["d", "k_reject"], ["o", "k_reopen"], ["p", "k_qrelease"],
    ["a", "k_ask"], ["s", "k_decide"], ["n", "k_note"], ["m", "k_merge"], ["u", "k_related"], ["t", "k_templates"], ["?", "k_help"]];

  const $ = (id) => document.getElementById(id);
  const page = () => window.corrigoPage;
  const lang = () => (page() ? page().lang() : "zh");
  const t = (key) => D[lang()][key] || key;
  const fill = (key, values) => t(key).replace(/\{(\w+)\}/g, (_, name) => String(values[name]));
  const picked = new Set();
  let anchor = null;

  function el(tag, text, className) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (className) node.className = className;
    return node;
  }

  function translate() {
    document.querySelectorAll("[data-d]").forEach((node) => { node.textContent = t(node.dataset.d); });
    const rows = $("desk-help-rows"); rows.replaceChildren();
    SHORTCUTS.forEach(([keys, does]) => { const tr = el("tr"); const key = el("td"); key.appendChild(el("kbd", keys)); tr.appendChild(key); tr.appendChild(el("td", t(does))); rows.appendChild(tr); });
    showSelection();
  }

  // Shown where a template is written: each placeholder with what it stands for.
  const PLACEHOLDERS = ["reference", "requester_name", "article_title", "article_url", "submitted_on", "into"];
  const placeholderHint = () => t("placeholders") + PLACEHOLDERS.map((name) => "{" + name + "} " + page().label("reply_placeholder", name)).join(lang() === "zh" ? "；" : "; ");

  // ---- selection ------------------------------------------------------------------------------
  const queueRows = () => Array.from(document.querySelectorAll("#queue li[role=option]"));

  function showSelection() {
    const shown = new Set(queueRows().map((li) => li.dataset.reference));
    [...picked].forEach((reference) => { if (!shown.has(reference)) picked.delete(reference); });
    queueRows().forEach((li) => li.setAttribute("aria-checked", String(picked.has(li.dataset.reference))));
    $("desk-selected").textContent = picked.size ? fill("selected", { n: picked.size }) : t("none_selected");
    // The bulk buttons appear with a selection (the case's own buttons act on the open request).
    ["desk-claim", "desk-release", "desk-reject"].forEach((id) => { $(id).hidden = picked.size === 0; });
    $("desk-templates-open").hidden = !(page() && page().isAdmin());
  }

  function toggle(reference) {
    if (!reference) return;
    if (picked.has(reference)) picked.delete(reference); else picked.add(reference);
    anchor = reference; showSelection();
  }

  function pickRange(reference) {
    const order = queueRows().map((li) => li.dataset.reference);
    const from = order.indexOf(anchor), to = order.indexOf(reference);
    if (from < 0 || to < 0) { toggle(reference); return; }
    order.slice(Math.min(from, to), Math.max(from, to) + 1).forEach((r) => picked.add(r));
    anchor = reference; showSelection();
  }

  function pickAll() { queueRows().forEach((li) => picked.add(li.dataset.reference)); showSelection(); }

  // ---- bulk actions ---------------------------------------------------------------------------
  function targets() {
    if (picked.size) return [...picked];
    const current = page().current();
    return current ? [current.reference] : [];
  }

  async function bulk(action, references, reply) {
    if (!references.length) return;
    const body = { references, action };
    if (reply) body.reply = reply;
    const box = $("desk-results"); box.replaceChildren();
    try {
      const answer = await page().api("POST", "/requests/bulk", body);
      box.appendChild(el("p", page().label("bulk_action", action) + " · " + fill("results", { ok: answer.succeeded, failed: answer.failed })));
      const failed = answer.items.filter((item) => !item.ok);
      if (failed.length) {
        const list = el("ul");
        failed.forEach((item) => list.appendChild(el("li", item.reference + (lang() === "zh" ? "：" : ": ") + item.message + (item.status ? " (" + page().label("status", item.status) + ")" : ""), "error")));
        box.appendChild(list);
      }
      picked.clear();
      await page().refresh();
    } catch (error) {
      box.appendChild(el("p", error.message, "error"));
    }
  }

  function confirmReject() {
    const references = targets();
    if (!references.length) return;
    $("desk-confirm-title").textContent = fill("reject_title", { n: references.length });
    const list = $("desk-confirm-list"); list.replaceChildren();
    references.forEach((reference) => list.appendChild(el("li", reference)));
    $("desk-confirm-reply").value = "";
    $("desk-confirm-placeholders").textContent = placeholderHint();
    const dialog = $("desk-confirm");
    dialog.returnValue = "";
    dialog.onclose = () => { if (dialog.returnValue === "yes") bulk("reject", references, $("desk-confirm-reply").value.trim()); };
    dialog.showModal();
    $("desk-confirm-yes").focus();  // Enter confirms; Esc or Cancel does nothing
  }

  // ---- related requests -------------------------------------------------------------------------
  function relatedList(node, entries) {
    node.replaceChildren();
    if (!entries.length) { node.appendChild(el("li", t("none"), "muted")); return; }
    entries.forEach((entry) => {
      const li = el("li");
      const open = el("button", entry.reference, "linkish"); open.type = "button";
      open.addEventListener("click", () => page().openCase(entry.reference));
      li.appendChild(open);
      const parts = [page().label("status", entry.status)];
      if (entry.outcome) parts.push(page().label("outcome", entry.outcome));
      if (entry.request_type) parts.push(page().label("request_type", entry.request_type));
      parts.push(page().when(entry.created_at));
      li.appendChild(el("span", " · " + parts.join(" · ") + (entry.article_title ? " · " + entry.article_title : ""), "muted"));
      node.appendChild(li);
    });
  }

  async function loadRelated(reference) {
    try {
      const related = await page().api("GET", "/requests/" + encodeURIComponent(reference) + "/related");
      if (!page().current() || page().current().reference !== reference) return;  // another case opened meanwhile
      relatedList($("desk-requester"), related.requester);
      relatedList($("desk-article"), related.article);
    } catch (error) {
      $("desk-requester").replaceChildren(el("li", error.message, "error"));
    }
  }

  // ---- reply templates (admins) -----------------------------------------------------------------
  async function loadTemplateForEditing() {
    $("desk-t-error").textContent = "";
    const outcome = $("desk-t-outcome").value;
    $("desk-t-save").disabled = true;  // nothing is saved over a template still loading
    const shown = await page().api("GET", "/reply-templates/" + encodeURIComponent(outcome)).finally(() => { $("desk-t-save").disabled = false; });
    if (outcome !== $("desk-t-outcome").value) return;  // another outcome was chosen meanwhile
    $("desk-t-zh").value = shown.zh; $("desk-t-en").value = shown.en;
    $("desk-t-state").textContent = shown.saved ? fill("saved_by", { who: page().person(shown.updated_by), when: page().when(shown.updated_at) }) : t("file_default");
  }

  async function openTemplates() {
    if (!page().isAdmin()) return;
    $("desk-t-placeholders").textContent = placeholderHint();
    $("desk-templates").showModal();
    await loadTemplateForEditing();
    $("desk-t-zh").focus();
  }

  async function saveTemplate(event) {
    event.preventDefault();
    $("desk-t-error").textContent = "";
    try {
      await page().api("PUT", "/reply-templates/" + encodeURIComponent($("desk-t-outcome").value), { zh: $("desk-t-zh").value, en: $("desk-t-en").value });
      await loadTemplateForEditing();
      $("desk-t-state").textContent = t("saved_now") + " · " + $("desk-t-state").textContent;
    } catch (error) {
      $("desk-t-error").textContent = error.message;
    }
  }

  // ---- keys -------------------------------------------------------------------------------------
  const typing = (target) => /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName) || target.isContentEditable;

  function press(id) { const node = $(id); if (node && !node.disabled && !node.closest("[hidden]")) node.click(); }
  function reach(id) { const node = $(id); if (node && !node.closest("[hidden]")) { node.focus(); node.scrollIntoView({ block: "center" }); } }

  function onKey(event) {
    if ($("app").hidden) return;
    // In a dialog its own keys work (Enter confirms, Esc closes) and no shortcut reaches the page.
    if (document.querySelector("dialog[open]")) { event.stopImmediatePropagation(); return; }
    if (typing(event.target) || event.ctrlKey || event.metaKey || event.altKey) return;
    const key = event.key, cursor = page().cursor();
    if (key === "?") $("desk-help").showModal();
    else if (key === "x") toggle(cursor);
    else if (key === "X") pickRange(cursor);
    else if (key === "A") pickAll();
    else if (key === "Escape" && picked.size) { picked.clear(); showSelection(); }
    else if (key === "c" && picked.size) bulk("claim", [...picked]);
    else if (key === "r") { if (picked.size) bulk("release", [...picked]); else press("a-release"); }
    else if (key === "d") confirmReject();
    else if (key === "o") press("a-reopen");
    else if (key === "p") press("a-qrelease");
    else if (key === "a") reach("ask-text");
    else if (key === "s") reach("r-outcome");
    else if (key === "n") reach("note-text");
    else if (key === "m") reach("m-into");
    else if (key === "u") { const first = document.querySelector("#desk-requester button"); if (first) first.focus(); }
    else if (key === "t") openTemplates();
    else return;  // editor.js's own keys (j, k, Enter, /, c without a selection)
    event.preventDefault();
    event.stopImmediatePropagation();
  }

  function wire() {
    window.addEventListener("keydown", onKey, true);  // before editor.js's: c and r act on a selection
    document.addEventListener("corrigo:queue", translate);  // after sign-in, a reload, a language switch
    document.addEventListener("corrigo:case", (event) => loadRelated(event.detail.reference));
    $("queue").addEventListener("click", (event) => {
      // Ctrl/⌘-click selects a row, shift-click a range, without opening it.
      const row = event.target.closest("li[role=option]");
      if (!row || !(event.ctrlKey || event.metaKey || event.shiftKey)) return;
      event.stopImmediatePropagation();
      if (event.shiftKey) pickRange(row.dataset.reference); else toggle(row.dataset.reference);
    }, true);
    $("lang-toggle").addEventListener("click", translate);
    $("desk-claim").addEventListener("click", () => bulk("claim", [...picked]));
    $("desk-release").addEventListener("click", () => bulk("release", [...picked]));
    $("desk-reject").addEventListener("click", confirmReject);
    $("desk-help-open").addEventListener("click", () => $("desk-help").showModal());
    $("desk-help-close").addEventListener("click", () => $("desk-help").close());
    $("desk-templates-open").addEventListener("click", openTemplates);
    $("desk-t-close").addEventListener("click", () => $("desk-templates").close());
    $("desk-t-outcome").addEventListener("change", () => loadTemplateForEditing().catch((error) => { $("desk-t-error").textContent = error.message; }));
    $("desk-templates-form").addEventListener("submit", saveTemplate);
  }

  // editor.js loads first and publishes window.corrigoPage.
  wire();
  translate();
})();
