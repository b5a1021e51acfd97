/* baodan client portal: decrypts this page's content in the browser.
 *
 * The access code comes from the link (after #, never sent to a server) or is typed in.
 * The AES-256-GCM key is HKDF-SHA256(code, salt = portal id, info = "baodan portal v1"),
 * exactly as generator/baodan/store/portal_crypto.py derives it; the padding that hides the
 * page's size (0x80, then zeros) is stripped after decryption. Whether a code is right is
 * decided by AES-GCM's authentication alone: nothing secret is compared here.
 *
 * The code, the key and what they open live only in this page's memory: nothing goes to
 * sessionStorage, localStorage, cookies or IndexedDB, the link's code is taken out of the
 * address bar (and so out of the back/forward list) before anything else runs, and leaving
 * the page locks it (a reload, Back or Forward shows the locked form again).
 *
 * This runs in the page's head, before anything shows: a link carrying the code opens the page
 * without the code form flashing up first (html.bd-opening, portal.css). The rest waits for
 * the page. Without JavaScript the form stays hidden and a <noscript> says what to do.
 */
(function () {
  "use strict";

  // The code in the address (#…), taken out of the address bar and the tab's history entry.
  function takeCode() {
    var code = location.hash.slice(1);
    try { code = decodeURIComponent(code); } catch (e) { /* keep it as it is */ }
    if (/^bd-/.test(code)) return "";  // a section of this page (#bd-policies …)
    if (code) history.replaceState(null, "", location.pathname + location.search);
    return code;
  }

  // First of all, before anything else runs.
  var fromLink = takeCode();
  var root = document.documentElement;
  if (fromLink) root.classList.add("bd-opening");
  var qrScript = document.currentScript.getAttribute("data-bd-qr-script");
  document.addEventListener("DOMContentLoaded", function () { start(fromLink); fromLink = ""; });

  var INFO = "baodan portal v1";
  var ALPHABET = /^[0-9A-HJKMNP-TV-Z]{20}$/;
  var LOOKALIKES = { O: "0", I: "1", L: "1" };

  var encoder = new TextEncoder();
  var locked, form, input, errorBox, status, portal, payload;

  // The code as typed or pasted, reduced to its letters and digits: full-width ones (typed in a
  // Chinese keyboard's full-width mode) become ASCII; spaces, any kind of dash and whatever
  // else came along (a pasted "访问码：" label) are dropped.
  function canonical(text) {
    return String(text).normalize("NFKC").toUpperCase().replace(/[^0-9A-Z]/g, "")
      .replace(/[OIL]/g, function (c) { return LOOKALIKES[c]; });
  }

  function bytes(base64) {
    var raw = atob(base64);
    var out = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
    return out;
  }

  async function decrypt(code) {
    var subtle = window.crypto && window.crypto.subtle;
    if (!subtle) throw new Error("insecure");
    var base = await subtle.importKey("raw", encoder.encode(code), "HKDF", false, ["deriveKey"]);
    var key = await subtle.deriveKey(
      { name: "HKDF", hash: "SHA-256", salt: encoder.encode(payload.id), info: encoder.encode(INFO) },
      base, { name: "AES-GCM", length: 256 }, false, ["decrypt"]);
    var plain = await subtle.decrypt(
      { name: "AES-GCM", iv: bytes(payload.n), additionalData: encoder.encode(INFO + ":" + payload.id) },
      key, bytes(payload.c));
    return new TextDecoder().decode(unpad(new Uint8Array(plain)));
  }

  // The page as built, without the 0x80 and zeros that fill it up to its size bucket.
  function unpad(data) {
    var end = data.length;
    while (end > 0 && data[end - 1] === 0) end--;
    if (end === 0 || data[end - 1] !== 0x80) throw new Error("padding");
    return data.subarray(0, end - 1);
  }

  function showError(message) {
    root.classList.remove("bd-opening");
    portal.hidden = true;
    portal.replaceChildren();
    locked.hidden = false;
    errorBox.textContent = message;
    errorBox.hidden = false;
    input.setAttribute("aria-invalid", "true");
  }

  // Links shown as QR codes ([data-bd-qr]) are drawn here rather than in every page's
  // ciphertext: a QR code costs the build a millisecond and a few kilobytes per client. The
  // QR script (qrcode.js, as heavy as the rest of the page) loads only when a section with a
  // code is opened on a screen that shows it (portal.css hides it on phones).
  function drawQrCodes() {
    portal.querySelectorAll("[data-bd-qr]").forEach(function (figure) {
      if (figure.querySelector("svg")) return;
      var qr = qrcode(0, "M");
      qr.addData(figure.getAttribute("data-bd-qr"));
      qr.make();
      figure.insertAdjacentHTML("afterbegin",
        qr.createSvgTag({ cellSize: 4, margin: 8, scalable: true, title: "加入日历的二维码" }));
    });
  }

  // Runs ``draw`` once the QR script is loaded (portal_actions.js draws the policy card's).
  function withQr(draw) {
    if (window.qrcode) return draw();
    var script = document.createElement("script");
    script.src = qrScript;
    script.onload = draw;
    document.head.appendChild(script);
  }
  window.bdWithQr = withQr;

  function showQrCodes(section) {
    var figure = section.querySelector("[data-bd-qr]");
    if (!figure || !section.open || figure.offsetParent === null) return;
    withQr(drawQrCodes);
  }

  function show(html) {
    portal.innerHTML = html;
    root.classList.remove("bd-opening");
    locked.hidden = true;
    errorBox.hidden = true;
    portal.hidden = false;
    window.scrollTo(0, 0);
  }

  // Each lock starts a new opening: a decryption still running when the page was locked
  // (left, or 退出 pressed) shows nothing.
  var opening = 0;

  function lock(message) {
    opening++;
    document.dispatchEvent(new CustomEvent("bd:locked"));  // documents.js forgets its key
    portal.replaceChildren();
    portal.hidden = true;
    locked.hidden = false;
    errorBox.hidden = true;
    input.value = "";
    input.removeAttribute("aria-invalid");
    status.textContent = message;
  }

  async function unlock(text, fromLink) {
    var mine = ++opening;
    var code = canonical(text);
    if (!ALPHABET.test(code) && fromLink) {
      showError("链接中的访问码不完整或有误，可能复制时漏了字符。请输入访问码，或联系您的客户经理。");
      return;
    }
    if (!code) {
      showError("请输入访问码（共 20 位，由数字和字母组成）。");
      return;
    }
    if (!ALPHABET.test(code)) {
      showError(code.length === 20
        ? "访问码里有不该出现的字符。访问码只含数字和字母（不含 I、L、O、U），请核对后重新输入。"
        : "访问码应为 20 位（不算连字符和空格），您输入了 " + code.length + " 位，请核对后重新输入。");
      return;
    }
    status.textContent = "正在打开……";
    try {
      var html = await decrypt(code);
      if (mine !== opening) return;
      show(html);
      // documents.js derives its own key from the code, to open documents when tapped.
      document.dispatchEvent(new CustomEvent("bd:unlocked", { detail: { code: code, id: payload.id } }));
      input.value = "";
    } catch (e) {
      if (mine !== opening) return;
      status.textContent = "";
      if (e && e.message === "insecure") {
        showError("无法在此连接下解密，请用 https:// 开头的地址打开本页。");
      } else if (fromLink) {
        showError("链接中的访问码不正确，可能链接不完整。请输入访问码，或联系您的客户经理。");
      } else {
        showError("访问码不正确，请核对后重新输入。如果仍然打不开，请联系您的客户经理。");
      }
    }
  }

  function start(code) {
    locked = document.getElementById("bd-locked");
    form = document.getElementById("bd-unlock");
    input = document.getElementById("bd-code");
    errorBox = document.getElementById("bd-error");
    status = document.getElementById("bd-status");
    portal = document.getElementById("bd-portal");
    payload = JSON.parse(document.getElementById("bd-payload").textContent);
    form.hidden = false;
    document.getElementById("bd-help").hidden = false;

    // "toggle" does not bubble: listen while it goes down to the <details>.
    portal.addEventListener("toggle", function (event) { showQrCodes(event.target); }, true);

    // Printing shows the older policies and claims too.
    window.addEventListener("beforeprint", function () {
      portal.querySelectorAll("details").forEach(function (d) { d.open = true; });
    });

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      unlock(input.value, false);
    });

    portal.addEventListener("click", function (event) {
      var jump = event.target.closest('a[href^="#bd-"]');
      var section = jump && document.getElementById(jump.getAttribute("href").slice(1));
      var folded = section && section.querySelector("details[data-bd-calendar]");
      if (folded) folded.open = true;
      var target = event.target.closest("[data-bd-action]");
      if (!target) return;
      var action = target.getAttribute("data-bd-action");
      if (action === "lock") {
        lock("已退出。再次查看请输入访问码或重新打开链接。");
      } else if (action === "copy") {
        var text = target.getAttribute("data-bd-copy");
        var copied = navigator.clipboard ? navigator.clipboard.writeText(text) : Promise.reject();
        copied.then(function () {
          target.textContent = "已复制";
        }, function () {
          // Some in-app browsers refuse the clipboard: select the address to copy by hand.
          var link = portal.querySelector(".bd-feed-url a");
          if (link) window.getSelection().selectAllChildren(link);
          target.textContent = "请长按下方地址复制";
        });
      } else if (action === "print") {
        window.print();
      }
    });

    // Leaving the page (a link, Back, closing the tab) locks it before the browser keeps it in
    // its back/forward cache; a page restored from that cache is locked again all the same.
    var LEFT = "为保护您的信息，离开本页后需要重新打开链接或输入访问码。";
    window.addEventListener("pagehide", function () { lock(LEFT); });
    window.addEventListener("pageshow", function (event) { if (event.persisted) lock(LEFT); });

    // The full link opened in a tab already showing this page (locked, or after 退出) changes
    // only the fragment: no new page loads, so open it here.
    window.addEventListener("hashchange", function () {
      var code = takeCode();
      if (code) unlock(code, true);
    });

    if (code) {
      unlock(code, true);
    } else {
      status.textContent = "这是您的专属保单页面。请用我们发给您的链接打开，或输入访问码。";
    }
  }
})();
