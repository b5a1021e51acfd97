/* baodan client portal, once opened: the request forms (办理业务), the policy cards (保单卡片)
 * and printing the family's cover map (家庭保障全景) alone.
 *
 * Requests: no server. A filled form becomes a message the client sends through their own
 * WeChat, SMS or mail.
 *
 * The forms (the same for everyone) are in <template id="bd-request-forms"> around the
 * ciphertext; once the page is decrypted they are copied into its [data-bd-request-forms].
 * The message ends with a token staff paste into `baodan request`:
 *   BD1.<base64url JSON {p: portal id, k: kind, d: date, f: fields}>.<check>
 * check = HMAC-SHA256(request key, "BD1." + payload), first 20 hex digits, as
 * generator/baodan/domain/requests.py verifies it. The request key is inside the decrypted
 * page only (data-bd-requests); nothing is stored or sent anywhere by this script.
 */
(function () {
  "use strict";

  var portal = document.getElementById("bd-portal");
  var forms = document.getElementById("bd-request-forms");
  if (!portal || !forms) return;
  var encoder = new TextEncoder();

  function section() { return portal.querySelector("[data-bd-requests]"); }

  function fill() {
    var box = portal.querySelector("[data-bd-request-forms]");
    if (!box || box.childElementCount) return;
    box.appendChild(forms.content.cloneNode(true));
    var options = portal.querySelector("[data-bd-policy-options]");
    box.querySelectorAll("select[data-bd-field=policy]").forEach(function (select) {
      select.appendChild(options.content.cloneNode(true));
    });
    // 续保意向 offers only the policies the firm follows up for renewal; none, no form.
    var renewal = box.querySelector("form[data-bd-request=renewal] select[data-bd-field=policy]");
    renewal.querySelectorAll("option[value]:not([value='']):not([data-bd-renewable])")
      .forEach(function (option) { option.remove(); });
    if (renewal.options.length === 1) renewal.closest("details").remove();
  }
  // portal.js may have opened the page while this file was still loading.
  new MutationObserver(fill).observe(portal, { childList: true });
  fill();

  function hex(buffer) {
    return Array.prototype.map.call(new Uint8Array(buffer), function (b) {
      return (b < 16 ? "0" : "") + b.toString(16);
    }).join("");
  }

  function base64url(text) {
    var bytes = encoder.encode(text), raw = "";
    for (var i = 0; i < bytes.length; i++) raw += String.fromCharCode(bytes[i]);
    return btoa(raw).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function today() {
    var d = new Date();
    function two(n) { return (n < 10 ? "0" : "") + n; }
    return d.getFullYear() + "-" + two(d.getMonth() + 1) + "-" + two(d.getDate());
  }

  async function token(kind, fields) {
    var info = section();
    var payload = base64url(JSON.stringify(
      { p: info.getAttribute("data-bd-portal"), k: kind, d: today(), f: fields }));
    var body = "BD1." + payload;
    var raw = info.getAttribute("data-bd-requests").match(/../g).map(function (h) {
      return parseInt(h, 16);
    });
    var key = await crypto.subtle.importKey(
      "raw", new Uint8Array(raw), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
    var mac = await crypto.subtle.sign("HMAC", key, encoder.encode(body));
    return body + "." + hex(mac).slice(0, 20);
  }

  // Fields as the form has them, and the lines a person reads above the token.
  function read(form) {
    var fields = {}, lines = [], missing = [];
    form.querySelectorAll("[name]").forEach(function (el) {
      var value = el.value.trim();
      var label = el.closest("label").firstElementChild.firstChild.textContent;
      if (!value) {
        if (el.required) missing.push(label);
        return;
      }
      fields[el.name] = value;
      lines.push(label + "：" + (el.tagName === "SELECT" ? el.selectedOptions[0].textContent : value));
    });
    return { fields: fields, lines: lines, missing: missing };
  }

  portal.addEventListener("submit", async function (event) {
    var form = event.target.closest("[data-bd-request]");
    if (!form) return;
    event.preventDefault();
    var error = form.querySelector("[data-bd-request-error]");
    var got = read(form);
    if (got.missing.length) {
      error.textContent = "请填写：" + got.missing.join("、");
      error.hidden = false;
      return;
    }
    if (form.getAttribute("data-bd-request") === "contact" && !got.fields.mobile &&
        !got.fields.email && !got.fields.address) {
      error.textContent = "请至少填写新手机号、新电子邮箱或新地址中的一项。";
      error.hidden = false;
      return;
    }
    error.hidden = true;
    var code = await token(form.getAttribute("data-bd-request"), got.fields);
    var message = ["【保单服务请求】" + form.getAttribute("data-bd-title"), ""]
      .concat(got.lines, ["发出日期：" + today(), "", "以下编码供公司核对，请勿改动：", code])
      .join("\n");
    var out = form.parentNode.querySelector("[data-bd-request-out]");
    out.querySelector("textarea").value = message;
    var sms = section().getAttribute("data-bd-sms");
    // "?&body=" is read by both iPhone and Android messaging apps.
    out.querySelector("[data-bd-request-action=sms]").href =
      "sms:" + sms + "?&body=" + encodeURIComponent(message);
    var mail = out.querySelector("[data-bd-request-action=mail]");
    if (mail) {
      mail.href = "mailto:" + mail.getAttribute("data-bd-mail") + "?subject=" +
        encodeURIComponent("保单服务请求：" + form.getAttribute("data-bd-title")) +
        "&body=" + encodeURIComponent(message);
    }
    out.hidden = false;
    out.scrollIntoView({ block: "nearest" });
  });

  // Policy cards (保单卡片): one page per policy, built here from the policy's own card so
  // the ciphertext carries nothing more: insurer, policy number, period, claims hotline, the
  // firm's contact, and a QR code to this page's address (never the access code: a lost card
  // opens nothing). While a card is open it is the whole page, so printing prints the card.
  var CARD_FIELDS = ["保险公司", "保单号", "被保险人", "车辆", "保险期间", "报案电话"];

  function addCardButtons() {
    portal.querySelectorAll("article.bd-policy:not([data-bd-card])").forEach(function (article) {
      article.setAttribute("data-bd-card", "");
      article.insertAdjacentHTML("beforeend",
        '<p class="bd-actions"><button type="button" class="md-button" data-bd-open-card>保单卡片</button></p>');
    });
  }
  new MutationObserver(addCardButtons).observe(portal, { childList: true });
  addCardButtons();

  function openCard(article) {
    var card = document.createElement("article");
    card.className = "bd-card bd-policy-card";
    card.appendChild(article.querySelector(".bd-card__title").cloneNode(true));
    var fields = document.createElement("dl");
    fields.className = "bd-fields";
    article.querySelectorAll(".bd-fields > dt").forEach(function (dt) {
      if (CARD_FIELDS.indexOf(dt.textContent) < 0) return;
      var dd = dt.nextElementSibling.cloneNode(true);
      dd.querySelectorAll(".bd-muted").forEach(function (note) { note.remove(); });
      fields.append(dt.cloneNode(true), dd);
    });
    card.appendChild(fields);
    var contact = portal.querySelector("#bd-contact .bd-contact");
    if (contact) card.appendChild(contact.cloneNode(true));
    var figure = document.createElement("figure");
    figure.className = "bd-card-qr";
    if (typeof qrcode === "function") {
      var qr = qrcode(0, "M");
      qr.addData(location.origin + location.pathname);
      qr.make();
      figure.innerHTML = qr.createSvgTag({ cellSize: 4, margin: 8, scalable: true, title: "我的保单页面二维码" });
    }
    var caption = document.createElement("figcaption");
    caption.textContent = "扫码打开我的保单页面（需输入访问码）";
    figure.appendChild(caption);
    card.appendChild(figure);

    var view = document.createElement("section");
    view.className = "bd-card-view";
    view.id = "bd-card-view";
    view.innerHTML = '<p class="bd-actions"><button type="button" class="md-button" data-bd-close-card>返回</button>' +
      '<button type="button" class="md-button md-button--primary" data-bd-print-card>打印或存为 PDF</button></p>';
    view.prepend(card);
    portal.prepend(view);
    portal.classList.add("bd-card-open");
    view.setAttribute("data-bd-from", article.id || "");
    window.scrollTo(0, 0);
  }

  function closeCard() {
    var view = portal.querySelector("#bd-card-view");
    if (view) view.remove();
    portal.classList.remove("bd-card-open");
  }

  // 家庭保障全景 printed alone (portal.css, @media print); policy cards open and print.
  portal.addEventListener("click", function (event) {
    var target = event.target;
    if (target.closest("[data-bd-open-card]")) {
      openCard(target.closest("article.bd-policy"));
    } else if (target.closest("[data-bd-close-card]")) {
      closeCard();
    } else if (target.closest("[data-bd-print-card]")) {
      window.print();
    } else if (target.closest("[data-bd-print-cover]")) {
      document.body.classList.add("bd-print-cover");
      window.print();
    }
  });
  window.addEventListener("afterprint", function () {
    document.body.classList.remove("bd-print-cover");
  });

  portal.addEventListener("click", function (event) {
    var button = event.target.closest("[data-bd-request-action=share]");
    if (!button) return;
    var out = button.closest("[data-bd-request-out]");
    var text = out.querySelector("textarea").value;
    var status = out.querySelector("[data-bd-request-copied]");
    if (navigator.share) {
      navigator.share({ text: text }).catch(function () { /* closed by the client */ });
      return;
    }
    var copied = navigator.clipboard ? navigator.clipboard.writeText(text) : Promise.reject();
    copied.then(function () {
      status.textContent = "已复制。请打开微信，粘贴发给您的客户经理或我们的公众号。";
    }, function () {
      out.querySelector("textarea").select();
      status.textContent = "请长按上方消息，全选后复制，再粘贴到微信发给我们。";
    });
  });
})();
