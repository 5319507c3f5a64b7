/* Corrigo comments: one script tag on an article page shows 最新评论 (latest comments) and the form.
 *
 *   <script src="https://corrections.news.example.cn/comments/embed.js" data-lang="zh" async></script>
 *
 * data-article names the article (default: the page's canonical link, else its address); data-lang
 * picks zh or en (default: the page's lang). Readers' text is only ever put in the page as text
 * (textContent, text nodes): this file never assigns HTML. Every control is a native form element
 * with its label, so the block works from the keyboard; results are announced in a live region.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) { return; }
  var base = new URL(script.src, window.location.href).origin;
  var pageLang = (script.getAttribute("data-lang") || document.documentElement.lang || "zh").toLowerCase();
  var lang = pageLang.indexOf("en") === 0 ? "en" : "zh";
  var canonical = document.querySelector('link[rel="canonical"]');
  var article = script.getAttribute("data-article") || (canonical && canonical.href) || window.location.href.split("#")[0];
  var T = {
    zh: {
      latest: "最新评论", none: "还没有评论。", more: "更多评论", write: "发表评论",
      submit: "提交评论", review: "评论经编辑审核后发布（先审后发）。",
      pending: "已提交，审核中。", view: "查看审核进度", sendCode: "获取验证码",
      verifyIntro: "发表评论前，请先验证手机号码（页面只显示您的昵称）。", confirm: "验证",
      codeSent: "验证码已通过短信发送。", report: "举报", sendReport: "提交举报", reported: "感谢举报，编辑会尽快查看。",
      reply: "回复另一条评论", failed: "提交未成功，请稍后再试。", loadFailed: "评论暂时无法显示。"
    },
    en: {
      latest: "Latest comments", none: "No comments yet.", more: "More comments", write: "Write a comment",
      submit: "Post comment",
      review: "Comments are published after an editor has reviewed them.", pending: "Sent; it is under review.",
      view: "See the review's progress", sendCode: "Send me a code",
      verifyIntro: "Before you comment, verify your mobile number (only your nickname is shown).",
      confirm: "Verify", codeSent: "We sent you a code by text message.", report: "Report", sendReport: "Send report",
      reported: "Thank you; an editor will look at it.", reply: "in reply to another comment",
      failed: "That did not work; please try again later.", loadFailed: "The comments cannot be shown just now."
    }
  }[lang];
  // The fields' labels, lengths and the report reasons, from schemas/comment*.json (filled in when served).
  var F = __CORRIGO_FIELDS__[lang];
  var uid = "corrigo-" + Math.random().toString(36).slice(2, 8);

  // Build an element; every string child becomes a text node, never markup.
  function el(tag, attributes, children) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) { node.setAttribute(name, attributes[name]); });
    (children || []).forEach(function (child) {
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  function beijing(iso) {
    try {
      return new Intl.DateTimeFormat(lang === "zh" ? "zh-CN" : "en-GB", {
        timeZone: "Asia/Shanghai", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit"
      }).format(new Date(iso));
    } catch (e) { return ""; }
  }

  function post(path, fields) {
    var body = new URLSearchParams();
    Object.keys(fields).forEach(function (name) { if (fields[name] !== undefined) { body.append(name, fields[name]); } });
    body.append("language", lang);
    // A form post (no preflight) that asks for JSON back; the cookie rides along (same site).
    return fetch(base + path + "?lang=" + lang, {
      method: "POST", body: body, credentials: "include", headers: { Accept: "application/json" }
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) { return { status: response.status, data: data }; });
    });
  }

  function problems(data) {
    var list = (data && data.errors) || [];
    var messages = list.map(function (e) { return e.message; });
    if (!messages.length) { messages = [(data && (data.detail || data.message)) || T.failed]; }
    return messages;
  }

  var live = el("p", { "class": "corrigo-live", role: "status", "aria-live": "polite" });
  var list = el("ol", { "class": "corrigo-list" });
  var more = el("button", { type: "button", "class": "corrigo-more", hidden: "" }, [T.more]);
  var heading = el("h2", { id: uid + "-latest" }, [T.latest]);
  var root = el("section", { "class": "corrigo-comments", lang: lang === "zh" ? "zh-CN" : "en", "aria-labelledby": uid + "-latest" }, [heading, list, more]);
  var cursor = null;

  function say(messages) {
    while (live.firstChild) { live.removeChild(live.firstChild); }
    messages.forEach(function (message, i) {
      if (i) { live.appendChild(el("br")); }
      live.appendChild(document.createTextNode(message));
    });
  }

  function reportControl(id) {
    var select = el("select", { id: uid + "-r-" + id, name: "reason" }, F.reasons.map(function (r) { return el("option", { value: r[0] }, [r[1]]); }));
    var form = el("form", { "class": "corrigo-report-form" }, [el("label", { "for": uid + "-r-" + id }, [T.report]), select, el("button", { type: "submit" }, [T.sendReport])]);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      post("/comments/" + encodeURIComponent(id) + "/report", { reason: select.value }).then(function (answer) {
        say(answer.status === 202 ? [T.reported] : problems(answer.data));
      });
    });
    return el("details", { "class": "corrigo-report" }, [el("summary", {}, [T.report]), form]);
  }

  function show(item) {
    var meta = el("p", { "class": "corrigo-meta" }, [el("strong", {}, [item.nickname]), " ", el("time", { datetime: item.created_at }, [beijing(item.created_at)])]);
    if (item.reply_to) { meta.appendChild(document.createTextNode(" · " + T.reply)); }
    var text = el("p", { "class": "corrigo-text", style: "white-space: pre-line" }, [item.text]);
    list.appendChild(el("li", { "class": "corrigo-comment", id: uid + "-c-" + item.id }, [meta, text, reportControl(item.id)]));
  }

  function load() {
    var url = base + "/comments?article_url=" + encodeURIComponent(article) + (cursor ? "&cursor=" + encodeURIComponent(cursor) : "");
    fetch(url, { headers: { Accept: "application/json" }, credentials: "omit" })
      .then(function (response) { if (!response.ok) { throw new Error(String(response.status)); } return response.json(); })
      .then(function (page) {
        page.items.forEach(show);
        if (!list.firstChild) { list.appendChild(el("li", { "class": "corrigo-none" }, [T.none])); }
        cursor = page.next_cursor;
        if (cursor) { more.removeAttribute("hidden"); } else { more.setAttribute("hidden", ""); }
      })
      .catch(function () { say([T.loadFailed]); });
  }
  more.addEventListener("click", load);

  function field(name, label, control) {
    control.id = uid + "-" + name;
    control.name = name;
    return el("p", { "class": "corrigo-field" }, [el("label", { "for": control.id }, [label]), el("br"), control]);
  }

  var nickname = el("input", { type: "text", maxlength: String(F.nickname.max), autocomplete: "nickname", required: "" });
  var text = el("textarea", { maxlength: String(F.text.max), rows: "4", required: "" });
  var email = el("input", { type: "email", maxlength: String(F.email.max), autocomplete: "email" });
  var emailField = field("email", F.email.label, email);
  var emailHelp = el("span", { id: uid + "-email-help", "class": "corrigo-help" }, [F.email.help]);
  email.setAttribute("aria-describedby", emailHelp.id);
  emailField.appendChild(el("br"));
  emailField.appendChild(emailHelp);
  var commentForm = el("form", { "class": "corrigo-form", novalidate: "" }, [
    el("h3", {}, [T.write]), el("p", {}, [T.review]), field("nickname", F.nickname.label, nickname), field("text", F.text.label, text),
    emailField, el("button", { type: "submit" }, [T.submit])
  ]);
  var phone = el("input", { type: "tel", autocomplete: "tel", required: "" });
  var code = el("input", { type: "text", inputmode: "numeric", autocomplete: "one-time-code", maxlength: "6" });
  var codeField = field("code", F.code.label, code);
  codeField.setAttribute("hidden", "");
  var verifyForm = el("form", { "class": "corrigo-verify", novalidate: "", hidden: "" }, [
    el("p", {}, [T.verifyIntro]), field("phone", F.phone.label, phone), codeField, el("button", { type: "submit" }, [T.sendCode])
  ]);

  function submitComment() {
    var fields = { article_url: article, nickname: nickname.value, text: text.value };
    if (email.value.trim()) { fields.email = email.value.trim(); }
    return post("/comments", fields).then(function (answer) {
      if (answer.status === 202) {
        text.value = "";
        say(answer.data.notice ? [T.pending, answer.data.notice] : [T.pending]);  // at night: when it will be reviewed
        live.appendChild(document.createTextNode(" "));
        live.appendChild(el("a", { href: base + answer.data.status_url, "class": "corrigo-status-link" }, [T.view]));
      } else if (answer.status === 401) {
        verifyForm.removeAttribute("hidden");
        phone.focus();
      } else {
        say(problems(answer.data));
      }
    });
  }

  commentForm.addEventListener("submit", function (event) { event.preventDefault(); submitComment(); });
  verifyForm.addEventListener("submit", function (event) {
    event.preventDefault();
    if (codeField.hasAttribute("hidden")) {
      post("/commenters/verify", { phone: phone.value }).then(function (answer) {
        if (answer.status === 202) {
          codeField.removeAttribute("hidden");
          verifyForm.querySelector("button").textContent = T.confirm;
          say([T.codeSent]);
          code.focus();
        } else { say(problems(answer.data)); }
      });
    } else {
      post("/commenters/verify/confirm", { phone: phone.value, code: code.value }).then(function (answer) {
        if (answer.status === 200) {
          verifyForm.setAttribute("hidden", "");
          submitComment();
        } else { say(problems(answer.data)); }
      });
    }
  });

  root.appendChild(commentForm);
  root.appendChild(verifyForm);
  root.appendChild(live);
  script.parentNode.insertBefore(root, script.nextSibling);
  load();
})();
