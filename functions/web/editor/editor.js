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
urgency1: "紧急", urgency2: "优先", urgency3: "普通", none: "无", other_lang: "English" },
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
urgency1: "Urgent", urgency2: "High", urgency3: "Normal", none: "none", other_lang: "中文" },
  };
  // Chinese unless the editor chose English (the choice is remembered in this browser).
  let lang = localStorage.getItem("corrigo.lang") === "en" ? "en" : "zh";
  let config = null, token = sessionStorage.getItem("corrigo.idToken"), cursor = null, current = null, items = [], selected = -1;
  const $ = (id) => document.getElementById(id);
  const t = (key) => T[lang][key] || key;

  function el(tag, text, className) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (className) node.className = className;
    return node;
  }

  function translate() {
    document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
    document.querySelectorAll("[data-t]").forEach((node) => { node.textContent = t(node.dataset.t); });
    document.querySelectorAll("[data-tp]").forEach((node) => { node.placeholder = t(node.dataset.tp); });
    $("lang-toggle").textContent = t("other_lang");
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
    try { return JSON.parse(atob(token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/"))); } catch (e) { return {}; }
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
      const error = new Error(answer.status === 409 && data.allowed ? t("not_allowed") + (data.allowed.join(", ") || t("none")) : (data.message || (data.errors || []).map((e) => e.field + ": " + e.message).join("; ") || answer.status));
      error.status = answer.status;
      throw error;
    }
    return data;
  }

  function showApp() {
    $("signin").hidden = true; $("app").hidden = false; $("signout").hidden = false;
    $("who").textContent = claims()["cognito:username"] || claims().email || "";
    loadCounts(); loadQueue(true);
  }

  function signOut() {
    token = null; sessionStorage.removeItem("corrigo.idToken");
    $("signin").hidden = false; $("app").hidden = true; $("signout").hidden = true; $("who").textContent = "";
  }

  async function loadCounts() {
    const data = await api("GET", "/counts");
    const box = $("counts"); box.replaceChildren();
    Object.entries(data.counts).forEach(([status, count]) => box.appendChild(el("span", status + " " + count, "count")));
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
    span.appendChild(el("span", t("urgency" + item.urgency), "badge u" + item.urgency));
    if (item.overdue) span.appendChild(el("span", t("overdue_badge"), "badge overdue"));
    if (item.spam) span.appendChild(el("span", t("spam_badge"), "badge overdue"));
    return span;
  }

  async function loadQueue(fresh) {
    if (fresh) { cursor = null; items = []; $("queue").replaceChildren(); selected = -1; }
    const data = await api("GET", "/requests?" + query());
    cursor = data.next_cursor; $("more").hidden = !cursor;
    data.items.forEach((item) => {
      const index = items.push(item) - 1;
      const li = el("li"); li.setAttribute("role", "option"); li.dataset.reference = item.reference;
      li.appendChild(badges(item));
      li.appendChild(el("strong", item.reference));
      li.appendChild(el("span", " · " + item.status + " · " + item.request_type, "muted"));
      li.appendChild(el("div", item.article_title));
      li.appendChild(el("div", item.requester_name + (item.assignee ? " → " + item.assignee : ""), "muted"));
      if (item.status === "quarantined" && item.screening) li.appendChild(reasons(item.screening));
      li.addEventListener("click", () => { select(index); openCase(item.reference); });
      $("queue").appendChild(li);
    });
    if (!items.length) $("queue").appendChild(el("li", t("empty"), "muted"));
  }

  // Why screening held a request: the verdict, the score, and each rule that fired (all as text).
  function reasons(report) {
    const box = el("div", null, "screening");
    box.appendChild(el("div", t("verdict") + ": " + report.verdict + " · " + t("score") + ": " + report.score, "muted"));
    const list = el("ul");
    (report.findings || []).forEach((f) => list.appendChild(el("li", f.rule + " (+" + f.score + "): " + (lang === "zh" ? f.zh : f.en))));
    box.appendChild(list);
    return box;
  }

  function select(index) {
    const nodes = $("queue").querySelectorAll("li[role=option]");
    if (!nodes.length) return;
    selected = Math.max(0, Math.min(index, nodes.length - 1));
    nodes.forEach((node, i) => node.setAttribute("aria-selected", String(i === selected)));
    nodes[selected].scrollIntoView({ block: "nearest" });
  }

  async function openCase(reference) {
    const data = await api("GET", "/requests/" + encodeURIComponent(reference));
    current = data; location.hash = reference;
    $("case-empty").hidden = true; $("case-body").hidden = false; $("c-error").textContent = "";
    $("c-reference").textContent = data.reference;
    const badgeBox = $("c-badges"); badgeBox.replaceChildren(badges(data));
    $("c-title").textContent = data.article_title;
    $("c-url").textContent = data.article_url;
    $("c-url").href = /^https?:\/\//i.test(data.article_url) ? data.article_url : "#";
    $("c-status").textContent = data.status + (data.outcome ? " · " + data.outcome : "");
    $("c-assignee").textContent = data.assignee || "—";
    $("c-due").textContent = data.first_response_due + " / " + data.decision_due;
    $("c-original").textContent = data.fields.original_text || "";
    $("c-requested").textContent = data.fields.requested_change || "";
    $("c-reason").textContent = data.fields.reason || "";
    const fields = $("c-fields"); fields.replaceChildren();
    Object.entries(data.fields).forEach(([name, value]) => { fields.appendChild(el("dt", name)); fields.appendChild(el("dd", value)); });
    const others = $("c-others"); others.replaceChildren();
    data.same_article.forEach((o) => others.appendChild(el("li", o.reference + " · " + o.status + (o.outcome ? " · " + o.outcome : ""))));
    if (!data.same_article.length) others.appendChild(el("li", t("none"), "muted"));
    const linked = $("c-linked"); linked.replaceChildren();
    (data.linked_requesters || []).forEach((r) => linked.appendChild(el("li", r.reference + " · " + (r.requester_name || "") + " <" + (r.requester_email || "") + "> · " + (r.language || "") + (r.verdict ? " · " + r.verdict : ""))));
    if (!(data.linked_requesters || []).length) linked.appendChild(el("li", t("none"), "muted"));
    const report = $("c-screening"); report.replaceChildren();
    $("c-screening-box").hidden = !data.screening;
    if (data.screening) report.appendChild(reasons(data.screening));
    const notes = $("c-notes"); notes.replaceChildren();
    data.notes.forEach((n) => { const li = el("li"); li.appendChild(el("span", n.at + " " + n.author + ": ", "muted")); li.appendChild(el("span", n.text)); notes.appendChild(li); });
    const history = $("c-history"); history.replaceChildren();
    data.history.forEach((e) => {
      const tr = el("tr");
      [e.at, e.actor, e.action + " (" + (e.status_before || "—") + " → " + e.status_after + ")", e.detail].forEach((v) => tr.appendChild(el("td", v)));
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
    await loadTemplate();
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

  function wire() {
    $("lang-toggle").addEventListener("click", () => { lang = lang === "zh" ? "en" : "zh"; localStorage.setItem("corrigo.lang", lang); translate(); });
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
      if (event.key === "j") { select(selected + 1); }
      else if (event.key === "k") { select(selected - 1); }
      else if (event.key === "Enter" && selected >= 0) { openCase(items[selected].reference); }
      else if (event.key === "/") { event.preventDefault(); $("f-q").focus(); }
      else if (event.key === "c" && current && !$("a-claim").disabled) { act("/claim"); }
      else return;
      event.preventDefault();
    });
  }

  async function start() {
    translate(); wire();
    config = await (await fetch("/editor/config.json")).json();
    if (token && (claims().exp || 0) * 1000 > Date.now()) {
      showApp();
      if (location.hash.length > 1) openCase(decodeURIComponent(location.hash.slice(1))).catch(() => {});
    }
  }
  start();
})();
