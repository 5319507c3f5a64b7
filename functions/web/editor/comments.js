// The editors' page, Comments view (issue 12): the moderators' queues by status and article, the
// comment with its commenter's history beside it, claims, decisions one by one or in bulk, penalties.
// Keyboard: j/k move, a approve, r reject (choose the reason, Enter), x select for bulk.
// A reader's words (nickname, text, appeal) only ever reach the page through textContent.
(function () {
  "use strict";
  const T = {
    zh: { view: "评论审核", back: "申请队列", queue: "评论审核", status: "状态", article: "稿件链接", filter: "筛选", empty: "这里没有评论",
      more: "更多", bulk_approve: "批量通过", bulk_reason: "批量不通过的理由", bulk_reject: "批量不通过", keys_move: "上下移动",
      keys_approve: "通过", keys_reject: "不通过（选理由后按回车）", keys_select: "选中，用于批量操作", comment: "评论", pick: "从左侧选择一条评论",
      approve: "通过", reason: "不通过的理由", note: "给作者的说明（选填）", reject: "不通过", commenter: "评论者", penalty: "处罚",
      days: "天数（选填）", penalty_reason: "处罚理由", penalize: "处罚", history: "该评论者的其他评论", events: "处理记录",
      when: "时间", who: "操作人", what: "事项", detail: "内容", selected: "已选 {n} 条", claimed_by_me: "您正在审核这条评论",
      claimed_by: "{who} 正在审核这条评论，请选择其他评论", phone: "手机尾号 {last4}", no_history: "没有其他评论",
      penalty_now: "当前处罚：{level}{until}", until: "，至 {when}", reports: "被 {n} 位读者举报", hidden: "已从稿件页隐藏",
      appeal: "作者申诉：", quiet: "夜间静默时段提交，{when} 后审核", reply_to: "回复评论 {id}", warned: "评论者曾被警告",
      bulk_done: "已处理 {ok} 条，{failed} 条未能处理", penalized: "已处罚", other_value: "其他", system: "自动筛查", reader: "读者",
      author: "作者", settings_open: "开放评论", settings_closed: "关闭评论", none: "—" },
    en: { view: "Comments", back: "Requests", queue: "Comment moderation", status: "Status", article: "Article URL", filter: "Filter", empty: "No comments here",
      more: "More", bulk_approve: "Approve selected", bulk_reason: "Reason to reject the selected", bulk_reject: "Reject selected", keys_move: "move",
      keys_approve: "approve", keys_reject: "reject (pick a reason, Enter)", keys_select: "select for bulk actions", comment: "Comment", pick: "Choose a comment on the left",
      approve: "Approve", reason: "Reason for rejecting", note: "Note to the author (optional)", reject: "Reject", commenter: "Commenter", penalty: "Penalty",
      days: "Days (optional)", penalty_reason: "Why", penalize: "Apply penalty", history: "The commenter's other comments", events: "History",
      when: "When", who: "Who", what: "What", detail: "Detail", selected: "{n} selected", claimed_by_me: "You are reviewing this comment",
      claimed_by: "{who} is reviewing this comment; choose another", phone: "phone ending {last4}", no_history: "No other comments",
      penalty_now: "Penalty in force: {level}{until}", until: " until {when}", reports: "Reported by {n} readers", hidden: "hidden from the article",
      appeal: "The author's appeal: ", quiet: "Sent in quiet hours; review after {when}", reply_to: "Reply to comment {id}", warned: "The commenter has a warning",
      bulk_done: "{ok} done, {failed} not done", penalized: "Penalty applied", other_value: "Other", system: "Screening", reader: "Reader",
      author: "Author", settings_open: "Comments open", settings_closed: "Comments closed", none: "—" },
  };
  const STATUSES = ["pending", "reported", "appealed", "approved", "rejected"];
  const REASONS = ["abuse", "spam", "illegal", "privacy", "misinformation", "off_topic", "banned_words", "links", "flood", "other"];
  const LEVELS = ["warn", "mute", "ban"];
  let lang = "zh", config = null, items = [], current = -1, cursor = null, chosen = new Set(), detail = null, mine = null;
  const $ = (id) => document.getElementById(id);
  const t = (key) => T[lang][key] || key;
  const fill = (key, values) => t(key).replace(/\{(\w+)\}/g, (_, name) => String(values[name]));
  const token = () => sessionStorage.getItem("corrigo.idToken");
  const shown = () => !$("comments-app").hidden;

  function el(tag, text, className) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (className) node.className = className;
    return node;
  }

  function label(kind, value) {
    const found = (((config && config.vocabulary) || {})[kind] || {})[String(value)];
    return found && found[lang] ? found[lang] : t("other_value");
  }

  function when(stamp) {
    if (!stamp) return t("none");
    const moment = new Date(stamp);
    if (isNaN(moment)) return t("none");
    return new Intl.DateTimeFormat(lang === "zh" ? "zh-CN" : "en-GB", {
      timeZone: "Asia/Shanghai", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", hourCycle: "h23",
    }).format(moment);
  }

  function claims() {
    try {
      const base64 = token().split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
      return JSON.parse(new TextDecoder().decode(Uint8Array.from(atob(base64), (c) => c.charCodeAt(0))));
    } catch (e) { return {}; }
  }
  const myId = () => { const c = claims(); return c.email || c["cognito:username"] || c.username || c.sub || ""; };

  // An actor as people read it: an editor by address, the reader and the screening by name.
  function person(actor) {
    if (!actor) return t("none");
    if (actor.startsWith("system:")) return t("system");
    if (actor.startsWith("reader:")) return t("reader");
    if (actor.startsWith("commenter:")) return t("author");
    return actor;
  }

  async function api(method, path, body) {
    const answer = await fetch("/editor/api" + path, {
      method, headers: Object.assign({ Authorization: "Bearer " + token(), "Accept-Language": lang }, body ? { "Content-Type": "application/json" } : {}),
      body: body ? JSON.stringify(body) : undefined,
    });
    const data = await answer.json().catch(() => ({}));
    if (!answer.ok) {
      const fields = (data.errors || []).filter((e) => e.field).map((e) => e.message);
      const error = new Error(fields.length ? fields.join("; ") : (data.title || String(answer.status)));
      error.status = answer.status; error.data = data;
      throw error;
    }
    return data;
  }

  function options(select, kind, values) {
    const keep = select.value;
    select.replaceChildren(...values.map((value) => { const o = el("option", label(kind, value)); o.value = value; return o; }));
    if (keep) select.value = keep;
  }

  function translate() {
    lang = localStorage.getItem("corrigo.lang") === "en" ? "en" : "zh";
    document.querySelectorAll("#comments-app [data-c]").forEach((node) => { node.textContent = t(node.dataset.c); });
    $("view-toggle").textContent = shown() ? t("back") : t("view");
    options($("cm-status"), "comment_status", STATUSES);
    options($("cm-reason"), "comment_reason", REASONS);
    options($("cm-bulk-reason"), "comment_reason", REASONS);
    options($("cm-p-level"), "penalty_level", LEVELS);
  }

  // ---- the queue ----

  function renderCounts(counts) {
    const box = $("cm-counts"); box.replaceChildren();
    STATUSES.forEach((status) => box.appendChild(el("span", label("comment_status", status) + " " + ((counts || {})[status] || 0), "count")));
  }

  function renderList() {
    const list = $("cm-list"); list.replaceChildren();
    items.forEach((item, index) => {
      const row = el("li");
      row.id = "cm-row-" + item.id;
      row.setAttribute("role", "option");
      row.setAttribute("aria-selected", chosen.has(item.id) ? "true" : "false");
      if (index === current) row.setAttribute("aria-current", "true");
      row.appendChild(el("strong", item.nickname));
      row.appendChild(el("span", " · " + when(item.created_at) + (item.report_count ? " · " + fill("reports", { n: item.report_count }) : ""), "muted"));
      row.appendChild(el("div", item.text.length > 140 ? item.text.slice(0, 140) + "…" : item.text));
      row.addEventListener("click", () => move(index));
      list.appendChild(row);
    });
    if (current >= 0) list.setAttribute("aria-activedescendant", "cm-row-" + items[current].id); else list.removeAttribute("aria-activedescendant");
    $("cm-empty").hidden = items.length > 0;
    $("cm-more").hidden = !cursor;
    $("cm-selected").textContent = chosen.size ? fill("selected", { n: chosen.size }) : "";
  }

  // Opening the view and a filter each start a fresh load: only the newest one's answer is shown,
  // or a late, stale answer would replace the list under the moderator's keys. A fresh answer keeps
  // the comment being reviewed selected when it is still listed (a refresh must not drop it; its claim
  // is released when it is not). The list is aria-busy while the newest load is on its way.
  let loads = 0;
  async function load(fresh) {
    const params = new URLSearchParams({ status: $("cm-status").value || "pending" });
    if ($("cm-article").value.trim()) params.set("article_url", $("cm-article").value.trim());
    if (!fresh && cursor) params.set("cursor", cursor);
    if (fresh) loads += 1;
    const started = loads;
    $("cm-list").setAttribute("aria-busy", "true");
    try {
      const page = await api("GET", "/comments?" + params.toString());
      if (started !== loads) return;
      if (fresh) {
        const reviewing = current >= 0 ? items[current].id : null;
        items = page.items; chosen.clear();
        current = reviewing ? items.findIndex((item) => item.id === reviewing) : -1;
        if (current < 0) { showDetail(null); if (mine) release(); }
      } else {
        const listed = new Set(items.map((item) => item.id));
        items = items.concat(page.items.filter((item) => !listed.has(item.id)));
      }
      cursor = page.next_cursor;
      renderCounts(page.counts);
      renderList();
    } catch (error) {
      if (started === loads) $("cm-error").textContent = error.message;
    } finally {
      if (started === loads) $("cm-list").setAttribute("aria-busy", "false");
    }
  }

  // ---- one comment ----

  async function release() {
    if (mine) { const id = mine; mine = null; await api("POST", "/comments/" + id + "/release").catch(() => {}); }
  }

  async function move(index) {
    if (index < 0 || index >= items.length) return;
    current = index; renderList();
    const row = $("cm-row-" + items[index].id); if (row) row.scrollIntoView({ block: "nearest" });
    const id = items[index].id;
    if (mine && mine !== id) await release();
    await open(id);
  }

  async function open(id) {
    $("cm-error").textContent = "";
    try {
      detail = await api("GET", "/comments/" + id);
      showDetail(detail);
      try {
        await api("POST", "/comments/" + id + "/claim");
        mine = id; claimNote(null);
      } catch (error) {
        if (error.status === 409) claimNote(error.data.holder || ""); else throw error;
      }
    } catch (error) { $("cm-error").textContent = error.message; }
  }

  function claimNote(other) {
    $("cm-d-claim").textContent = other ? fill("claimed_by", { who: other }) : t("claimed_by_me");
    ["cm-approve"].concat(Array.from($("cm-reject-form").elements).map((e) => e.id)).forEach((id) => { if (id) $(id).disabled = Boolean(other); });
  }

  function showDetail(found) {
    $("cm-body").hidden = !found; $("cm-pick").hidden = Boolean(found);
    if (!found) return;
    const c = found.comment, who = found.commenter;
    $("cm-d-status").textContent = label("comment_status", c.status) + (c.hidden ? " · " + t("hidden") : "");
    $("cm-d-nick").textContent = c.nickname;
    $("cm-d-time").textContent = when(c.created_at);
    $("cm-d-article").textContent = c.article_url; $("cm-d-article").href = c.article_url;
    $("cm-d-text").textContent = c.text;
    const extra = [];
    if (c.reply_to) extra.push(fill("reply_to", { id: c.reply_to }));
    if (c.report_count) extra.push(fill("reports", { n: c.report_count }));
    if (c.quiet_until) extra.push(fill("quiet", { when: when(c.quiet_until) }));
    if (c.screening && c.screening.commenter_warned) extra.push(t("warned"));
    if (c.reason_code) extra.push(t("reason") + (lang === "zh" ? "：" : ": ") + label("comment_reason", c.reason_code));
    if (c.appeal_text) extra.push(t("appeal") + c.appeal_text);
    $("cm-d-extra").textContent = extra.join("\n");
    const penalty = who.penalty ? fill("penalty_now", { level: label("penalty_level", who.penalty.level), until: who.penalty.until ? fill("until", { when: when(who.penalty.until) }) : "" }) : "";
    $("cm-d-commenter").textContent = [fill("phone", { last4: who.phone_last4 || "····" }), penalty].filter(Boolean).join(" · ");
    const history = $("cm-d-history"); history.replaceChildren();
    who.history.forEach((row) => history.appendChild(el("li", label("comment_status", row.status) + " · " + when(row.created_at) + " · " + row.text)));
    if (!who.history.length) history.appendChild(el("li", t("no_history"), "muted"));
    const events = $("cm-d-events"); events.replaceChildren();
    found.events.concat(who.events.map((e) => Object.assign({ commenter: true }, e))).forEach((event) => {
      const row = el("tr");
      const reason = event.action === "penalty" ? event.reason : (event.reason ? label("comment_reason", event.reason) : "");
      const note = event.detail && event.detail.note ? " · " + event.detail.note : "";
      [when(event.at), person(event.actor), label("comment_action", event.action), reason + note].forEach((text) => row.appendChild(el("td", text)));
      events.appendChild(row);
    });
  }

  // ---- decisions ----

  async function afterDecision(ids) {
    mine = null;
    const gone = new Set(ids);
    const next = items.findIndex((item, index) => index > current && !gone.has(item.id));
    const nextId = next >= 0 ? items[next].id : null;
    items = items.filter((item) => !gone.has(item.id));
    ids.forEach((id) => chosen.delete(id));
    current = nextId ? items.findIndex((item) => item.id === nextId) : items.length - 1;
    const page = await api("GET", "/comments?status=" + encodeURIComponent($("cm-status").value || "pending")).catch(() => null);
    if (page) renderCounts(page.counts);
    renderList();
    if (current >= 0) await open(items[current].id); else showDetail(null);
  }

  async function decide(action, body) {
    if (current < 0) return;
    const id = items[current].id;
    $("cm-error").textContent = "";
    try {
      await api("POST", "/comments/" + id + "/" + action, body);
      $("cm-note").value = "";
      await afterDecision([id]);
    } catch (error) { $("cm-error").textContent = error.message; }
  }

  async function bulk(action) {
    const ids = Array.from(chosen);
    if (!ids.length) return;
    const body = { ids, action };
    if (action === "reject") body.reason_code = $("cm-bulk-reason").value;
    try {
      const answer = await api("POST", "/comments/bulk", body);
      const done = answer.results.filter((r) => r.ok).map((r) => r.id);
      $("cm-selected").textContent = fill("bulk_done", { ok: done.length, failed: answer.results.length - done.length });
      await afterDecision(done);
    } catch (error) { $("cm-error").textContent = error.message; }
  }

  function toggleChosen() {
    if (current < 0) return;
    const id = items[current].id;
    if (chosen.has(id)) chosen.delete(id); else chosen.add(id);
    renderList();
  }

  async function penalize(event) {
    event.preventDefault();
    if (!detail) return;
    const body = { level: $("cm-p-level").value, reason: $("cm-p-reason").value };
    if ($("cm-p-days").value) body.days = Number($("cm-p-days").value);
    try {
      await api("POST", "/commenters/" + encodeURIComponent(detail.comment.commenter) + "/penalty", body);
      $("cm-p-reason").value = ""; $("cm-p-days").value = "";
      await open(detail.comment.id);
      $("cm-error").textContent = t("penalized");
    } catch (error) { $("cm-error").textContent = error.message; }
  }

  // ---- the view and the keys ----

  function toggleView() {
    const toComments = !shown();
    $("comments-app").hidden = !toComments;
    $("app").hidden = toComments;
    translate();
    if (toComments) { load(true); $("cm-list").focus(); } else { release(); }
  }

  function keys(event) {
    if (!shown() || event.ctrlKey || event.metaKey || event.altKey) return;
    const target = event.target;
    if ((target.id === "cm-reason" || target.id === "cm-bulk-reason") && event.key === "Enter") {
      event.preventDefault();
      if (target.id === "cm-reason") decide("reject", { reason_code: $("cm-reason").value, note: $("cm-note").value });
      else bulk("reject");
      $("cm-list").focus();
      return;
    }
    if (/^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName)) return;
    if (event.key === "j" || (target.id === "cm-list" && event.key === "ArrowDown")) move(current + 1);
    else if (event.key === "k" || (target.id === "cm-list" && event.key === "ArrowUp")) move(current - 1);
    else if (event.key === "x") toggleChosen();
    else if (event.key === "a") { if (chosen.size) bulk("approve"); else decide("approve"); }
    else if (event.key === "r") { (chosen.size ? $("cm-bulk-reason") : $("cm-reason")).focus(); }
    else return;
    event.preventDefault();
  }

  // Shown once the editor is signed in (editor.js shows #app then), hidden again at sign-out.
  function followSignIn() {
    const signedIn = $("signin").hidden;
    $("view-toggle").hidden = !signedIn;
    if (!signedIn && shown()) { $("comments-app").hidden = true; mine = null; }
  }

  async function start() {
    translate();
    $("view-toggle").addEventListener("click", toggleView);
    $("lang-toggle").addEventListener("click", () => setTimeout(() => { translate(); if (shown()) { renderList(); showDetail(detail); } }, 0));
    $("cm-filters").addEventListener("submit", (event) => { event.preventDefault(); load(true); });
    $("cm-more").addEventListener("click", () => load(false));
    $("cm-approve").addEventListener("click", () => decide("approve"));
    $("cm-reject-form").addEventListener("submit", (event) => { event.preventDefault(); decide("reject", { reason_code: $("cm-reason").value, note: $("cm-note").value }); });
    $("cm-bulk-approve").addEventListener("click", () => bulk("approve"));
    $("cm-bulk-reject").addEventListener("click", () => bulk("reject"));
    $("cm-penalty-form").addEventListener("submit", penalize);
    document.addEventListener("keydown", keys);
    new MutationObserver(followSignIn).observe($("signin"), { attributes: true, attributeFilter: ["hidden"] });
    window.addEventListener("pagehide", release);  // a claim left behind lapses by itself anyway
    config = await (await fetch("/editor/config.json")).json();
    translate(); followSignIn();
  }
  start();
})();
