// The editors' page, Reports view (issue 11): the editor-in-chief's numbers for a range of Beijing
// dates, drawn as plain SVG bar charts (built with DOM calls; every text through textContent), and
// the same numbers as a CSV (GET /editor/api/reports?format=csv, downloaded with the editor's token).
(function () {
  "use strict";
  const SVG = "http://www.w3.org/2000/svg";
  const T = {
    zh: { view: "报表", back: "申请队列", title: "报表", from: "开始日期（北京时间）", to: "结束日期（北京时间）", show: "查看",
      csv: "导出 CSV", total: "申请总数", total_note: "不含被拦截的垃圾信息", overdue: "超期占比", first_response: "首次回复用时",
      decision: "作出决定用时", median_p90: "中位数 {median}，第 90 百分位 {p90}（{count} 份）", hours: "{h} 工作小时",
      by_type: "按类型", by_channel: "按来源渠道", by_outcome: "按处理结果", undecided: "尚未决定", screening: "自动筛查",
      held: "拦截待核查", released: "核查后放行（误拦）", confirmed: "确认不予受理", pending: "尚待核查",
      false_positive: "误拦占比 {share}", top_articles: "申请最多的稿件", article: "稿件", requests: "申请数", none: "—",
      no_data: "这段时间没有申请", other_value: "其他", loading: "正在统计…", range: "{from} 至 {to}" },
    en: { view: "Reports", back: "Requests", title: "Reports", from: "From (Beijing time)", to: "To (Beijing time)", show: "Show",
      csv: "Download CSV", total: "Requests", total_note: "spam held by screening left out", overdue: "Share overdue",
      first_response: "Time to first response", decision: "Time to decision",
      median_p90: "median {median}, 90th percentile {p90} ({count} requests)", hours: "{h} working h",
      by_type: "By type", by_channel: "By channel", by_outcome: "By outcome", undecided: "Not decided yet", screening: "Screening",
      held: "Held for checking", released: "Released as genuine (false positives)", confirmed: "Confirmed as not to be handled",
      pending: "Still to check", false_positive: "False positives: {share}", top_articles: "Articles with the most requests",
      article: "Article", requests: "Requests", none: "—", no_data: "No requests in this range", other_value: "Other",
      loading: "Counting…", range: "{from} to {to}" },
  };
  let lang = "zh", config = null, report = null;
  const $ = (id) => document.getElementById(id);
  const t = (key) => T[lang][key] || key;
  const fill = (key, values) => t(key).replace(/\{(\w+)\}/g, (_, name) => String(values[name]));
  const shown = () => !$("reports-app").hidden;
  const token = () => sessionStorage.getItem("corrigo.idToken");

  function el(tag, text, className) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (className) node.className = className;
    return node;
  }

  function svg(tag, attributes, text) {
    const node = document.createElementNS(SVG, tag);
    Object.entries(attributes || {}).forEach(([name, value]) => node.setAttribute(name, String(value)));
    if (text !== undefined) node.textContent = String(text);
    return node;
  }

  function label(kind, value) {
    const found = (((config && config.vocabulary) || {})[kind] || {})[String(value)];
    return found && found[lang] ? found[lang] : t("other_value");
  }

  const number = (value) => new Intl.NumberFormat(lang === "zh" ? "zh-CN" : "en-GB").format(value);
  const percent = (share) => (share === null || share === undefined ? t("none")
    : new Intl.NumberFormat(lang === "zh" ? "zh-CN" : "en-GB", { style: "percent", maximumFractionDigits: 1 }).format(share));
  const hours = (value) => (value === null || value === undefined ? t("none") : fill("hours", { h: number(value) }));

  // A Beijing date, YYYY-MM-DD, ``days`` before today.
  function beijingDay(daysBefore) {
    const moment = new Date(Date.now() - daysBefore * 86400000);
    return new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Shanghai", year: "numeric", month: "2-digit", day: "2-digit" }).format(moment);
  }

  function translate() {
    lang = localStorage.getItem("corrigo.lang") === "en" ? "en" : "zh";
    document.querySelectorAll("#reports-app [data-r]").forEach((node) => { node.textContent = t(node.dataset.r); });
    $("reports-toggle").textContent = shown() ? t("back") : t("view");
  }

  // ---- drawing ----

  // One horizontal bar per entry, the label left and the count right of its bar; the picture is named
  // for screen readers by its caption and every value in words.
  function barChart(id, title, entries) {
    const figure = el("figure", null, "rp-chart");
    const caption = el("figcaption", title);
    caption.id = id + "-title";
    figure.appendChild(caption);
    const row = 26, labelWidth = 190, barWidth = 260, width = labelWidth + barWidth + 60;
    const most = Math.max(1, ...entries.map((e) => e.value));
    const chart = svg("svg", { id, width, height: Math.max(1, entries.length) * row + 4, viewBox: `0 0 ${width} ${Math.max(1, entries.length) * row + 4}`, role: "img" });
    chart.setAttribute("aria-label", title + (lang === "zh" ? "：" : ": ") + entries.map((e) => e.label + " " + number(e.value)).join(lang === "zh" ? "，" : ", "));
    entries.forEach((entry, index) => {
      const y = index * row + 2;
      chart.appendChild(svg("text", { x: labelWidth - 8, y: y + 17, "text-anchor": "end", fill: "#1d232b", "font-size": 13 }, entry.label));
      const length = Math.max(2, Math.round((entry.value / most) * barWidth));
      chart.appendChild(svg("rect", { class: "bar", x: labelWidth, y: y + 3, width: length, height: row - 8, rx: 2, fill: "#0b5cad" }));
      chart.appendChild(svg("text", { x: labelWidth + length + 6, y: y + 17, fill: "#1d232b", "font-size": 13 }, number(entry.value)));
    });
    figure.appendChild(chart);
    if (!entries.length) figure.appendChild(el("p", t("no_data"), "muted"));
    return figure;
  }

  function figure(title, value, note) {
    const box = el("div", null, "rp-figure");
    box.appendChild(el("h3", title));
    box.appendChild(el("p", value, "rp-value"));
    if (note) box.appendChild(el("p", note, "muted"));
    return box;
  }

  function spread(figures) {
    return fill("median_p90", { median: hours(figures.median), p90: hours(figures.p90), count: number(figures.count) });
  }

  function render() {
    const body = $("rp-body");
    body.hidden = !report;
    if (!report) return;
    $("rp-range").textContent = fill("range", { from: report.from, to: report.to });
    const summary = $("rp-summary");
    summary.replaceChildren(
      figure(t("total"), number(report.total), t("total_note")),
      figure(t("overdue"), percent(report.overdue.share), number(report.overdue.count) + " / " + number(report.overdue.of)),
      figure(t("first_response"), hours(report.first_response_hours.median), spread(report.first_response_hours)),
      figure(t("decision"), hours(report.decision_hours.median), spread(report.decision_hours)),
    );
    const outcomes = report.by_outcome.map((e) => ({ label: label("outcome", e.key), value: e.count }));
    if (report.undecided) outcomes.push({ label: t("undecided"), value: report.undecided });
    const caught = report.screening;
    const screeningChart = barChart("rp-chart-screening", t("screening"), ["held", "released", "confirmed", "pending"]
      .map((key) => ({ label: t(key), value: caught[key] })));
    screeningChart.appendChild(el("p", fill("false_positive", { share: percent(caught.false_positive_share) }), "muted"));
    $("rp-charts").replaceChildren(
      barChart("rp-chart-type", t("by_type"), report.by_type.map((e) => ({ label: label("request_type", e.key), value: e.count }))),
      barChart("rp-chart-channel", t("by_channel"), report.by_channel.map((e) => ({ label: label("channel", e.key), value: e.count }))),
      barChart("rp-chart-outcome", t("by_outcome"), outcomes),
      screeningChart,
    );
    const rows = report.top_articles.map((article) => {
      const tr = el("tr");
      const cell = el("td");
      const link = el("a", article.title || article.url || t("none"));
      if (/^https?:\/\//i.test(article.url)) { link.href = article.url; link.rel = "noreferrer noopener"; link.target = "_blank"; }
      cell.appendChild(link);
      tr.append(cell, el("td", number(article.count)));
      return tr;
    });
    $("rp-articles").replaceChildren(...rows);
    $("rp-articles-empty").hidden = rows.length > 0;
  }

  // ---- talking to the API ----

  function range() {
    return "from=" + encodeURIComponent($("rp-from").value) + "&to=" + encodeURIComponent($("rp-to").value);
  }

  async function fetchReport(suffix) {
    const answer = await fetch("/editor/api/reports?" + range() + suffix, { headers: { Authorization: "Bearer " + token(), "Accept-Language": lang } });
    if (!answer.ok) {
      const problem = await answer.json().catch(() => ({}));
      throw new Error((problem.errors || []).map((e) => (e.field ? t(e.field) + (lang === "zh" ? "：" : ": ") : "") + e.message).join("; ") || problem.detail || String(answer.status));
    }
    return answer;
  }

  async function load() {
    $("rp-error").textContent = ""; $("rp-status").textContent = t("loading");
    try {
      report = await (await fetchReport("")).json();
      render();
    } catch (error) {
      report = null; render(); $("rp-error").textContent = error.message;
    } finally {
      $("rp-status").textContent = "";
    }
  }

  async function download() {
    $("rp-error").textContent = "";
    try {
      const answer = await fetchReport("&format=csv");
      const name = (/filename="([^"]+)"/.exec(answer.headers.get("Content-Disposition") || "") || [])[1] || "corrigo-report.csv";
      const url = URL.createObjectURL(await answer.blob());
      const link = el("a");
      link.href = url; link.download = name; link.hidden = true;
      document.body.appendChild(link); link.click(); link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
    } catch (error) {
      $("rp-error").textContent = error.message;
    }
  }

  // ---- the view ----

  function toggleView() {
    const toReports = !shown();
    $("reports-app").hidden = !toReports;
    $("app").hidden = toReports;
    if (toReports) $("comments-app").hidden = true;
    translate();
    if (toReports) { $("rp-title").focus(); if (!report) load(); }
  }

  // Shown once the editor is signed in (editor.js hides #signin then), hidden again at sign-out; the
  // Comments view (comments.js) shown takes the place of this one.
  function followSignIn() {
    const signedIn = $("signin").hidden;
    $("reports-toggle").hidden = !signedIn;
    if (!signedIn) { $("reports-app").hidden = true; report = null; translate(); }
  }

  function followComments() {
    if (!$("comments-app").hidden && shown()) { $("reports-app").hidden = true; translate(); }
  }

  async function start() {
    $("rp-from").value = beijingDay(29); $("rp-to").value = beijingDay(0);
    translate();
    $("reports-toggle").addEventListener("click", toggleView);
    $("lang-toggle").addEventListener("click", () => setTimeout(() => { translate(); render(); }, 0));
    $("rp-form").addEventListener("submit", (event) => { event.preventDefault(); load(); });
    $("rp-csv").addEventListener("click", download);
    new MutationObserver(followSignIn).observe($("signin"), { attributes: true, attributeFilter: ["hidden"] });
    new MutationObserver(followComments).observe($("comments-app"), { attributes: true, attributeFilter: ["hidden"] });
    config = await (await fetch("/editor/config.json")).json();
    translate(); followSignIn();
  }
  start();
})();
