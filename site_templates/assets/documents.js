/* baodan client portal: a client's documents, fetched and decrypted only when tapped.
 *
 * Each document is its own file beside the page: a 12-byte nonce, then the AES-256-GCM
 * ciphertext of the document padded to whole 64 KiB blocks (0x80, then zeros). The key is
 * HKDF-SHA256(code, salt = portal id, info = "baodan portal v1 document") and the associated
 * data "baodan portal v1 document:<portal id>:<file name without .bin>", exactly as
 * generator/baodan/store/portal_crypto.py (encrypt_document) makes them.
 *
 * portal.js says when the page opens ("bd:unlocked", with the code) and locks ("bd:locked");
 * the key derived here is not extractable and lives only in this page's memory, and the
 * decrypted copies (blob: addresses) are let go when the page locks.
 */
(function () {
  "use strict";

  var INFO = "baodan portal v1 document";
  var encoder = new TextEncoder();
  var portal = document.getElementById("bd-portal");
  var opened = null;  // { key: CryptoKey promise, id: portal id }
  var urls = [];

  document.addEventListener("bd:unlocked", function (event) {
    var code = event.detail.code;
    var id = event.detail.id;
    var subtle = window.crypto.subtle;
    opened = {
      id: id,
      key: subtle.importKey("raw", encoder.encode(code), "HKDF", false, ["deriveKey"])
        .then(function (base) {
          return subtle.deriveKey(
            { name: "HKDF", hash: "SHA-256", salt: encoder.encode(id), info: encoder.encode(INFO) },
            base, { name: "AES-GCM", length: 256 }, false, ["decrypt"]);
        })
    };
  });

  document.addEventListener("bd:locked", function () {
    opened = null;
    urls.forEach(function (url) { URL.revokeObjectURL(url); });
    urls = [];
  });

  function unpad(data) {
    var end = data.length;
    while (end > 0 && data[end - 1] === 0) end--;
    if (end === 0 || data[end - 1] !== 0x80) throw new Error("padding");
    return data.subarray(0, end - 1);
  }

  async function fetchDocument(button) {
    var mine = opened;
    var href = button.getAttribute("data-bd-doc");
    var name = href.replace(/\.bin$/, "");
    var response = await fetch(href, { cache: "no-store", credentials: "omit" });
    if (!response.ok) throw new Error("missing");
    var sealed = new Uint8Array(await response.arrayBuffer());
    var plain = await window.crypto.subtle.decrypt(
      { name: "AES-GCM", iv: sealed.subarray(0, 12),
        additionalData: encoder.encode(INFO + ":" + mine.id + ":" + name) },
      await mine.key, sealed.subarray(12));
    if (mine !== opened) return null;  // locked meanwhile: show nothing
    return new Blob([unpad(new Uint8Array(plain))], { type: button.getAttribute("data-bd-type") });
  }

  function link(text, url, fileName) {
    var a = document.createElement("a");
    a.className = "md-button";
    a.href = url;
    a.textContent = text;
    if (fileName) a.download = fileName; else { a.target = "_blank"; a.rel = "noopener"; }
    return a;
  }

  async function open(button) {
    var item = button.closest(".bd-doc");
    var links = item.querySelector("[data-bd-doc-links]");
    var fileName = button.getAttribute("data-bd-name");
    button.disabled = true;
    links.hidden = false;
    links.textContent = "正在下载并解密……";
    try {
      var blob = await fetchDocument(button);
      if (!blob) return;
      var url = URL.createObjectURL(blob);
      urls.push(url);
      links.replaceChildren(link("打开", url, null), link("保存为 " + fileName, url, fileName));
      button.remove();
    } catch (e) {
      links.textContent = "文档暂时打不开，请稍后再试，或联系您的客户经理。";
      button.disabled = false;
    }
  }

  portal.addEventListener("click", function (event) {
    var button = event.target.closest("[data-bd-doc]");
    if (button && opened) open(button);
  });
})();
