// The editors' page. Every string that came from a requester is put in the page with textContent,
// never innerHTML: a <script> in any field shows as text.
(function () {
  "use strict";
  const T = {
    zh: { title: "编辑审核队列", signout: "退出", signin: "编辑登录", email: "邮箱", password: "密码", signin_button: "登录",
      queue: "队列", open_queue: "待处理（默认）", any_type: "全部类型", any_urgency: "全部紧急程度", overdue: "超期", mine: "我的",
      search: "搜索标题、链接、申请人", filter: "筛选", more: "更多", keys_move: "上下移动", keys_open: "打开", keys_search: "搜索", keys_claim: "认领",
      pick: "从左侧选择一份申请", status: "状态", assignee: "处理人", due: "时限", claim: "认领", release: "退回队列", reopen: "重新打开",
      original: "原文内容", requested: "修改内容", reason: "修改理由", all_fields: "全部字段", same_article: "同一稿件的其他申请",
      ask: "向申请人提问", ask_button: "发送问题", decide: "作出决定", reply: "给申请人的回复", public_note: "公开说明（显示在进度页，并发送给稿件系统）",
      resolve_button: "提交决定", merge: "合并至", notes: "内部备注", add_note: "添加备注", history: "处理记录", when: "时间", who: "操作人",
      what: "事项", detail: "内容", bad_signin: "邮箱或密码不正确", empty: "没有符合条件的申请", not_allowed: "当前状态不允许此操作，可执行：",
      overdue_badge: "超期", include_spam: "含垃圾信息", quarantine_tab: "待核查", screening: "筛查报告", verdict: "结论", score: "分数",
      q_release: "核查通过，放入队列", q_confirm: "确认不予受理", linked: "合并进来的其他申请人", spam_badge: "垃圾信息",
      erase: "删除申请人个人信息", erase_reason: "删除理由（必填，记入处理记录）", erase_reason_required: "请填写删除理由",
      erase_confirm: "确定删除此申请（及同一申请人的重复申请）中申请人的全部个人信息？原始邮件和附件一并删除，无法恢复。申请编号：",
none: "无", other_lang: "English", other_value: "其他", yes: "是", no: "否", quarantine_reason: "待核查原因", attachments: "附件", attachment_skipped: "未保存", undeliverable_badge: "邮件无法送达",
      missing: "缺少或无效：", duplicate_of: "重复申请，合并至 ", merged_into: "合并至 ", retention: "个人信息保留期已满",
      left: "剩 {span}", late: "逾期 {span}", paused: "暂停计时（{phrase}）", days: "{d} 个工作日", hours: "{h} 小时",
      days_hours: "{d} 个工作日 {h} 小时", under_hour: "不到 1 小时", responded: "已响应",
      request_type: "类型", urgency: "紧急程度", outcome: "处理结果" },
    en: { title: "Review queue", signout: "Sign out", signin: "Editor sign-in", email: "Email", password: "Password", signin_button: "Sign in",
      queue: "Queue", open_queue: "Open queue (default)", any_type: "Any type", any_urgency: "Any urgency", overdue: "Overdue", mine: "Mine",
      search: "Search title, URL, requester", filter: "Filter", more: "More", keys_move: "move", keys_open: "open", keys_search: "search", keys_claim: "claim",
      pick: "Choose a request on the left", status: "Status", assignee: "Editor", due: "Due", claim: "Claim", release: "Release", reopen: "Reopen",
      original: "Passage as published", requested: "Requested change", reason: "Reason and evidence", all_fields: "All fields", same_article: "Other requests on this article",
      ask: "Ask the requester", ask_button: "Send question", decide: "Decide", reply: "Reply to the requester", public_note: "Public note (status page and CMS)",
      resolve_button: "Send decision", merge: "Merge into", notes: "Internal notes", add_note: "Add note", history: "History", when: "When", who: "Who",
      what: "What", detail: "Detail", bad_signin: "Wrong email or password", empty: "Nothing matches", not_allowed: "Not allowed now. Allowed: ",
      overdue_badge: "Overdue", include_spam: "Include spam", quarantine_tab: "Quarantine", screening: "Screening report", verdict: "Verdict", score: "Score",
      q_release: "Release to the queue", q_confirm: "Confirm: not taken up", linked: "Linked requesters (merged duplicates)", spam_badge: "Spam",
      erase: "Erase the requester's personal data", erase_reason: "Reason (required, kept in the history)", erase_reason_required: "Give a reason for the erasure",
      erase_confirm: "Erase every piece of the requester's personal data in this request (and their duplicates of it)? The raw mail and attachments go too; this cannot be undone. Reference: ",
none: "none", other_lang: "中文", other_value: "Other", yes: "Yes", no: "No", quarantine_reason: "Why it was held", attachments: "Attachments", attachment_skipped: "not kept", undeliverable_badge: "Mail undeliverable",
      missing: "Missing or invalid: ", duplicate_of: "Duplicate, merged into ", merged_into: "Merged into ", retention: "Retention period over",
      left: "{span} left", late: "{span} overdue", paused: "clock paused ({phrase})", days: "{d} working day{s}", hours: "{h} h",
      days_hours: "{d} working day{s} {h} h", under_hour: "under 1 h", responded: "responded",
      request_type: "Type", urgency: "Urgency", outcome: "Outcome" },
  };
  // Chinese unless the editor chose English (the choice is remembered in this browser).
  let lang = localStorage.getItem("corrigo.lang") === "en" ? "en" : "zh";
  let config = null, token = sessionStorage.getItem("corrigo.idToken"), cursor = null, current = null, items = [], selected = -1, counted = null;
  const $ = (id) => document.getElementById(id);
  const t = (key) => T[lang][key] || key;
  const fill = (key, values) => t(key).replace(/\{(\w+)\}/g, (_, name) => String(values[name]));
  const aside = (text) => (lang === "zh" ? "（" + text + "）" : " (" + text + ")");
  const list = (texts) => texts.join(lang === "zh" ? "、" : ", ");
  const colon = () => (lang === "zh" ? "：" : ": ");

  function el(tag, text, className) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (className) node.className = className;
    return node;
  }

  // Every value the server sends (status, type, outcome, rule, action …) is shown through the
  // vocabulary it serves with /editor/config.json: never raw. A value it lacks reads "other" and
  // is reported in the console, so a new enum value is noticed without reaching the page.
  function label(kind, value) {
    const table = ((config && config.vocabulary) || {})[kind] || {};
    const found = table[String(value)];
    if (found && found[lang]) return found[lang];
    console.warn("corrigo: no " + lang + " label for " + kind + " value", value);
    return t("other_value");
  }
  const known = (kind, value) => Boolean((((config && config.vocabulary) || {})[kind] || {})[String(value)]);

  // Times as a Beijing newsroom reads them: 12月2日 周三 15:30 / Wed 2 Dec 15:30 (the year only if not this one).
  function when(stamp) {
    if (!stamp) return "—";
    const moment = new Date(stamp);
    if (isNaN(moment)) return "—";
    const format = (date) => Object.fromEntries(new Intl.DateTimeFormat(lang === "zh" ? "zh-CN" : "en-GB", {
      timeZone: "Asia/Shanghai", year: "numeric", month: lang === "zh" ? "numeric" : "short", day: "numeric",
      weekday: "short", hour: "2-digit", minute: "2-digit", hourCycle: "h23",
    }).formatToParts(date).map((part) => [part.type, part.value]));
    const p = format(moment), year = p.year !== format(new Date()).year;
    return lang === "zh"
      ? (year ? p.year + "年" : "") + p.month + "月" + p.day + "日 " + p.weekday + " " + p.hour + ":" + p.minute
      : p.weekday + " " + p.day + " " + p.month + (year ? " " + p.year : "") + " " + p.hour + ":" + p.minute;
  }

  // The server counts working time on its own calendar; the page only words it.
  function timeLeft(left) {
    const d = left.working_days, h = left.hours;
    const span = d > 0 ? fill(h > 0 ? "days_hours" : "days", { d, h, s: d === 1 ? "" : "s" }) : (h > 0 ? fill("hours", { h }) : t("under_hour"));
    const phrase = fill(left.overdue ? "late" : "left", { span });
    return left.paused ? fill("paused", { phrase }) : phrase;
  }

  function deadline(kind, due, left) {
    const node = el("span", label("deadline", kind) + " " + when(due) + (left ? " · " + timeLeft(left) : ""), left && left.overdue ? "late" : "");
    node.dataset.deadline = kind;
    return node;
  }

  function translate() {
    document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
    document.querySelectorAll("[data-t]").forEach((node) => { node.textContent = t(node.dataset.t); });
    document.querySelectorAll("[data-tp]").forEach((node) => { node.placeholder = t(node.dataset.tp); });
    document.querySelectorAll("[data-ta]").forEach((node) => { node.setAttribute("aria-label", t(node.dataset.ta)); });
    if (config) document.querySelectorAll("option[data-v]").forEach((node) => { node.textContent = label(node.dataset.v, node.value); });
    $("lang-toggle").textContent = t("other_lang");
    $("lang-toggle").lang = lang === "zh" ? "en" : "zh-CN";  // read in its own language by a screen reader
    document.title = "Corrigo · " + t("title");
  }

  async function signIn(username, password) {
    // Cognito's JSON API, straight from the browser (USER_PASSWORD_AUTH; no client secret).
    const answer = await fetch(config.cognitoEndpoint, {
      method: "POST",
      headers: { "Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "AWSCognitoIdentityProviderService.InitiateAuth" },
      body: JSON.stringify({ AuthFlow: "USER_PASSWORD_AUTH", ClientId: config.clientId, AuthParameters: { USERNAME: username, PASSWORD: password } }),
    });
    const body = await answer.json().catch(() => ({}));
    if (!answer.ok || !body.AuthenticationResult) throw new Error(t("bad_signin"));
    token = body.AuthenticationResult.IdToken;
    sessionStorage.setItem("corrigo.idToken", token);
  }

  function claims() {
    try {
      const base64 = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
      // UTF-8 (a Chinese name), not atob's Latin-1.
      return JSON.parse(new TextDecoder().decode(Uint8Array.from(atob(base64), (c) => c.charCodeAt(0))));
    } catch (e) { return {}; }
  }

  // Who the API records as acting: the same claim, in the same order, as the server reads it.
  const myId = () => { const c = claims(); return c.email || c["cognito:username"] || c.username || c.sub || ""; };

  function myName() {
    const c = claims();
    if (c.name) return c.name;
    const parts = lang === "zh" ? [c.family_name, c.given_name] : [c.given_name, c.family_name];
    return parts.filter(Boolean).join(lang === "zh" ? "" : " ");
  }

  // A person, never an id: the signed-in editor by name and address, other editors by their address
  // (what the audit trail holds), the service's own steps and the requester by the vocabulary.
  function person(actor) {
    if (!actor) return "—";
    if (actor === myId()) { const name = myName(), email = claims().email || ""; return name && email ? name + " <" + email + ">" : (name || email); }
    if (known("actor", actor)) return label("actor", actor);
    const [who, channel] = actor.split(":");
    if (channel && known("actor", who)) return label("actor", who) + " · " + label("channel", channel);
    if (actor.includes("@")) return actor;
    return label("actor", actor);
  }

  // The page shows admin-only actions to admins; the API checks the group itself either way.
  function isAdmin() {
    const groups = claims()["cognito:groups"] || [];
    return Array.isArray(groups) ? groups.includes("admins") : String(groups).split(/[\s,]+/).includes("admins");
  }

  async function api(method, path, body) {
    const answer = await fetch("/editor/api" + path, {
      method, headers: Object.assign({ Authorization: "Bearer " + token, "Accept-Language": lang }, body ? { "Content-Type": "application/json" } : {}),
      body: body ? JSON.stringify(body) : undefined,
    });
    if (answer.status === 401) { signOut(); throw new Error(t("bad_signin")); }
    const data = await answer.json().catch(() => ({}));
    if (!answer.ok) {
      const allowed = list((data.allowed || []).map((a) => label("action", a))) || t("none");
      const error = new Error(answer.status === 409 && data.allowed ? t("not_allowed") + allowed : (data.message || (data.errors || []).map((e) => e.field + ": " + e.message).join("; ") || answer.status));
      error.status = answer.status;
      throw error;
    }
    return data;
  }

  function showApp() {
    $("signin").hidden = true; $("app").hidden = false; $("signout").hidden = false;
    $("who").textContent = person(myId());
    loadCounts(); loadQueue(true);
  }

  function signOut() {
    token = null; sessionStorage.removeItem("corrigo.idToken");
    $("signin").hidden = false; $("app").hidden = true; $("signout").hidden = true; $("who").textContent = "";
  }

  async function loadCounts() {
    counted = (await api("GET", "/counts")).counts;
    renderCounts();
  }

  function renderCounts() {
    const box = $("counts"); box.replaceChildren();
    Object.entries(counted || {}).forEach(([status, count]) => box.appendChild(el("span", label("status", status) + " " + count, "count")));
  }

  function query() {
    const params = new URLSearchParams();
    [["status", "f-status"], ["type", "f-type"], ["urgency", "f-urgency"], ["q", "f-q"]].forEach(([name, id]) => { if ($(id).value) params.set(name, $(id).value); });
    if ($("f-overdue").checked) params.set("overdue", "true");
    if ($("f-mine").checked) params.set("mine", "true");
    if ($("f-spam").checked) params.set("include_spam", "true");
    if (cursor) params.set("cursor", cursor);
    return params.toString();
  }

  function badges(item) {
    const span = el("span");
    span.appendChild(el("span", label("urgency", item.urgency), "badge u" + item.urgency));
    if (item.overdue) span.appendChild(el("span", t("overdue_badge"), "badge overdue"));
    if (item.spam) span.appendChild(el("span", t("spam_badge"), "badge overdue"));
    if (item.requester_undeliverable) span.appendChild(el("span", t("undeliverable_badge"), "badge overdue"));
    return span;
  }

  // A fresh load (sign-in, a filter) may start while another is on its way: only the newest one's
  // answer is shown, and a page is never added twice.
  let queueLoads = 0;
  async function loadQueue(fresh) {
    if (fresh) { cursor = null; items = []; selected = -1; queueLoads += 1; }
    const load = queueLoads;
    const data = await api("GET", "/requests?" + query());
    if (load !== queueLoads) return;
    cursor = data.next_cursor; $("more").hidden = !cursor;
    const shown = new Set(items.map((item) => item.reference));
    items.push(...data.items.filter((item) => !shown.has(item.reference)));
    renderQueue();
  }

  function renderQueue() {
    $("queue").replaceChildren(); $("queue").removeAttribute("aria-activedescendant");
    items.forEach((item, index) => {
      const li = el("li"); li.setAttribute("role", "option"); li.dataset.reference = item.reference; li.id = "q-" + item.reference;
      li.appendChild(badges(item));
      li.appendChild(el("strong", item.reference));
      li.appendChild(el("span", " · " + label("status", item.status) + " · " + label("request_type", item.request_type), "muted"));
      li.appendChild(el("div", item.article_title));
      li.appendChild(el("div", item.requester_name + (item.assignee ? " → " + person(item.assignee) : ""), "muted"));
      const left = item.time_left || {};
      const next = left.first_response ? ["first_response", item.first_response_due, left.first_response] : left.decision ? ["decision", item.decision_due, left.decision] : null;
      if (next) { const due = el("div", null, "muted"); due.appendChild(deadline(...next)); li.appendChild(due); }
      if (item.status === "quarantined" && item.screening) li.appendChild(reasons(item.screening));
      li.addEventListener("click", () => { select(index); openCase(item.reference); });
      $("queue").appendChild(li);
    });
    $("queue-empty").hidden = items.length > 0;  // outside the listbox: it holds options only
    if (selected >= 0) select(selected);
    document.dispatchEvent(new CustomEvent("corrigo:queue"));  // desk.js marks its selection
  }

  // Why screening held a request: the verdict, the score, and each rule that fired (all as text).
  function reasons(report) {
    const box = el("div", null, "screening");
    box.appendChild(el("div", t("verdict") + ": " + label("verdict", report.verdict) + " · " + t("score") + ": " + report.score, "muted"));
    const list = el("ul");
    (report.findings || []).forEach((f) => list.appendChild(el("li", label("screening_rule", f.rule) + " (+" + f.score + "): " + (lang === "zh" ? f.zh : f.en))));
    box.appendChild(list);
    return box;
  }

  // A field's value: the schema's label for an enum field, yes/no for a box, else the text as sent.
  function fieldValue(name, value) {
    if (typeof value === "boolean") return t(value ? "yes" : "no");
    if (name !== "field" && config.vocabulary[name]) return label(name, value);
    return value;
  }

  // The audit trail's detail, worded: the service writes values (a channel, an outcome, deadlines
  // with their times, screening's verdict line, a mail's quarantine reason) for the page to phrase.
  function detail(event) {
    const text = event.detail || "";
    if (!text) return "";
    switch (event.action) {
      case "submit": case "complete": return known("channel", text) ? label("channel", text) : text;
      case "resolve": return label("outcome", text);
      case "confirm_quarantine": return known("outcome", text) ? label("outcome", text) : text;
      case "escalate": return text.split(", ").map((part) => { const [kind, due] = part.split("@"); return label("deadline", kind) + " " + when(due); }).join(lang === "zh" ? "；" : "; ");
      case "screen_quarantine": {
        const line = /^(pass|suspect|spam) \((-?\d+)\)(?::\s*([\s\S]*))?$/.exec(text);
        if (line) return label("verdict", line[1]) + " · " + t("score") + " " + line[2] + (line[3] ? colon() + line[3] : "");
        return label("quarantine_reason", event.quarantine_reason) + colon() + text;
      }
      case "mark_incomplete": {
        const missing = /^missing or invalid: (.*)$/.exec(text);
        return missing ? t("missing") + list(missing[1].split(", ").map((name) => label("field", name))) : text;
      }
      case "screen_duplicate": { const into = /CR-\d{4}-[A-Z0-9]{6}/.exec(text); return into ? t("duplicate_of") + into[0] : text; }
      case "merge": return t("merged_into") + text;
      case "erase": return event.actor === "retention" ? t("retention") : text;
      default: return text;
    }
  }

  function select(index) {
    const nodes = $("queue").querySelectorAll("li[role=option]");
    if (!nodes.length) return;
    selected = Math.max(0, Math.min(index, nodes.length - 1));
    nodes.forEach((node, i) => node.setAttribute("aria-selected", String(i === selected)));
    $("queue").setAttribute("aria-activedescendant", nodes[selected].id);
    nodes[selected].scrollIntoView({ block: "nearest" });
  }

  async function openCase(reference) {
    const data = await api("GET", "/requests/" + encodeURIComponent(reference));
    current = data; location.hash = reference;
    renderCase();
    await loadTemplate();
  }

  function renderCase() {
    const data = current;
    if (!data) return;
    $("case-empty").hidden = true; $("case-body").hidden = false; $("c-error").textContent = "";
    $("c-reference").textContent = data.reference;
    $("c-badges").replaceChildren(badges(data));
    $("c-title").textContent = data.article_title;
    $("c-url").textContent = data.article_url;
    $("c-url").href = /^https?:\/\//i.test(data.article_url) ? data.article_url : "#";
    $("c-status").textContent = label("status", data.status) + (data.outcome ? " · " + label("outcome", data.outcome) : "");
    $("c-assignee").textContent = person(data.assignee);
    const left = data.time_left || {};
    const due = $("c-due"); due.replaceChildren();
    due.appendChild(data.first_response_at && !left.first_response
      ? el("span", label("deadline", "first_response") + " " + t("responded") + " " + when(data.first_response_at))
      : deadline("first_response", data.first_response_due, left.first_response));
    due.appendChild(el("span", " / "));
    due.appendChild(deadline("decision", data.decision_due, left.decision));
    $("c-original").textContent = data.fields.original_text || "";
    $("c-requested").textContent = data.fields.requested_change || "";
    $("c-reason").textContent = data.fields.reason || "";
    const fields = $("c-fields"); fields.replaceChildren();
    Object.entries(data.fields).forEach(([name, value]) => { fields.appendChild(el("dt", label("field", name))); fields.appendChild(el("dd", fieldValue(name, value))); });
    // Attachments kept from the requester's mail: short-lived download links (never opened inline).
    const files = $("c-attachments"); files.replaceChildren();
    (data.attachments || []).forEach((file) => {
      const link = el("a", file.filename + (file.size ? " (" + Math.ceil(file.size / 1024) + " KB)" : ""));
      link.href = file.url; link.setAttribute("download", file.filename); link.rel = "noopener";
      const li = el("li"); li.appendChild(link); files.appendChild(li);
    });
    (data.attachments_skipped || []).forEach((file) => files.appendChild(el("li", (file.filename || file.name || "") + " · " + t("attachment_skipped"), "muted")));
    $("c-attachments-box").hidden = !files.children.length;
    const held = data.quarantine;
    $("c-quarantine-box").hidden = !held;
    $("c-quarantine").textContent = held ? label("quarantine_reason", held.reason) + (held.text ? colon() + held.text : "") : "";
    const linked = $("c-linked"); linked.replaceChildren();
    (data.linked_requesters || []).forEach((r) => linked.appendChild(el("li", r.reference + " · " + (r.requester_name || "") + " <" + (r.requester_email || "") + ">" + (r.language ? " · " + label("language", r.language) : "") + (r.verdict ? " · " + label("verdict", r.verdict) : ""))));
    if (!(data.linked_requesters || []).length) linked.appendChild(el("li", t("none"), "muted"));
    const report = $("c-screening"); report.replaceChildren();
    $("c-screening-box").hidden = !data.screening;
    if (data.screening) report.appendChild(reasons(data.screening));
    // History and internal notes in one timeline, by time (the server merges them: data.timeline).
    const history = $("c-history"); history.replaceChildren();
    const quarantined = Object.fromEntries(data.history.filter((e) => e.quarantine_reason).map((e) => [e.at, e.quarantine_reason]));
    (data.timeline || data.history).forEach((e) => {
      const tr = el("tr", null, e.kind === "note" ? "note" : "");
      const moved = e.kind !== "note" && e.status_before !== e.status_after ? aside((e.status_before ? label("status", e.status_before) : "—") + " → " + label("status", e.status_after)) : "";
      const text = e.kind === "note" ? e.text : detail(Object.assign({ quarantine_reason: quarantined[e.at] }, e));
      [when(e.at), person(e.actor), label("action", e.action) + moved, text].forEach((v) => tr.appendChild(el("td", v)));
      history.appendChild(tr);
    });
    const allowed = new Set(data.allowed_actions);
    $("a-claim").disabled = !allowed.has("claim");
    $("a-release").disabled = !allowed.has("release");
    $("a-reopen").disabled = !allowed.has("reopen");
    $("a-qrelease").disabled = !allowed.has("release_quarantine");
    $("a-qconfirm").disabled = !allowed.has("confirm_quarantine");
    $("ask-form").querySelector("button").disabled = !allowed.has("ask");
    $("resolve-form").querySelector("button").disabled = !allowed.has("resolve");
    $("merge-form").querySelector("button").disabled = !allowed.has("merge");
    $("erase-form").hidden = !isAdmin();
    document.dispatchEvent(new CustomEvent("corrigo:case", { detail: { reference: data.reference } }));  // desk.js: related requests
  }

  async function loadTemplate() {
    if (!current) return;
    const data = await api("GET", "/requests/" + encodeURIComponent(current.reference) + "/reply-template?outcome=" + encodeURIComponent($("r-outcome").value));
    $("r-reply").value = data.text;
  }

  async function act(path, body) {
    $("c-error").textContent = "";
    try {
      await api("POST", "/requests/" + encodeURIComponent(current.reference) + path, body);
      await openCase(current.reference);
      loadCounts(); loadQueue(true);
    } catch (error) {
      $("c-error").textContent = error.message;
    }
  }

  function switchLanguage() {
    lang = lang === "zh" ? "en" : "zh";
    localStorage.setItem("corrigo.lang", lang);
    translate();
    if (!$("app").hidden) { $("who").textContent = person(myId()); renderCounts(); renderQueue(); renderCase(); }
  }

  function wire() {
    $("lang-toggle").addEventListener("click", switchLanguage);
    $("signout").addEventListener("click", signOut);
    $("signin-form").addEventListener("submit", async (event) => {
      event.preventDefault(); $("signin-error").textContent = "";
      try { await signIn($("username").value, $("password").value); showApp(); } catch (error) { $("signin-error").textContent = error.message; }
    });
    $("filters").addEventListener("submit", (event) => { event.preventDefault(); loadQueue(true); });
    $("more").addEventListener("click", () => loadQueue(false));
    $("a-claim").addEventListener("click", () => act("/claim"));
    $("a-release").addEventListener("click", () => act("/release"));
    $("a-reopen").addEventListener("click", () => act("/reopen", {}));
    $("a-qrelease").addEventListener("click", () => act("/quarantine/release", {}));
    $("a-qconfirm").addEventListener("click", () => act("/quarantine/confirm", {}));
    $("quarantine-tab").addEventListener("click", () => { $("f-status").value = "quarantined"; loadQueue(true); });
    $("r-outcome").addEventListener("change", loadTemplate);
    $("ask-form").addEventListener("submit", (event) => { event.preventDefault(); act("/ask", { message: $("ask-text").value }).then(() => { $("ask-text").value = ""; }); });
    $("resolve-form").addEventListener("submit", (event) => { event.preventDefault(); act("/resolve", { outcome: $("r-outcome").value, reply: $("r-reply").value, public_note: $("r-note").value }); });
    $("merge-form").addEventListener("submit", (event) => { event.preventDefault(); act("/merge", { into: $("m-into").value.trim().toUpperCase() }); });
    $("erase-form").addEventListener("submit", (event) => {
      event.preventDefault();
      const reason = $("e-reason").value.trim();
      if (!reason) { $("c-error").textContent = t("erase_reason_required"); return; }
      if (!window.confirm(t("erase_confirm") + current.reference)) return;
      act("/erase", { reason: reason }).then(() => { $("e-reason").value = ""; });
    });
    $("note-form").addEventListener("submit", (event) => { event.preventDefault(); act("/notes", { text: $("note-text").value }).then(() => { $("note-text").value = ""; }); });
    document.addEventListener("keydown", (event) => {
      if ($("app").hidden || /^(INPUT|TEXTAREA|SELECT)$/.test(event.target.tagName) || event.ctrlKey || event.metaKey || event.altKey) return;
      const inQueue = event.target === $("queue");  // a listbox's own keys, as screen readers announce it
      if (event.key === "j" || (inQueue && event.key === "ArrowDown")) { select(selected + 1); }
      else if (event.key === "k" || (inQueue && event.key === "ArrowUp")) { select(selected - 1); }
      // Enter on a button, a link or a summary is theirs (claim, release …), not "open the selected request".
      else if (event.key === "Enter" && selected >= 0 && !event.target.closest("button, a, summary")) { openCase(items[selected].reference); }
      else if (event.key === "/") { event.preventDefault(); $("f-q").focus(); }
      else if (event.key === "c" && current && !$("a-claim").disabled) { act("/claim"); }
      else return;
      event.preventDefault();
    });
  }

  // What desk.js (bulk actions, shortcuts, templates, related requests) uses of this page.
  window.corrigoPage = {
    api, label, when, person, isAdmin, openCase,
    lang: () => lang,
    current: () => current,
    refresh: async () => { await Promise.all([loadCounts(), loadQueue(true)]); if (current) await openCase(current.reference); },
    cursor: () => (selected >= 0 && items[selected] ? items[selected].reference : null),
  };

  async function start() {
    translate(); wire();
    config = await (await fetch("/editor/config.json")).json();
    translate();  // now with the vocabulary: the filters' and outcomes' options
    if (token && (claims().exp || 0) * 1000 > Date.now()) {
      showApp();
      if (location.hash.length > 1) openCase(decodeURIComponent(location.hash.slice(1))).catch(() => {});
    }
  }
  start();
})();
