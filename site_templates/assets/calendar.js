/* baodan calendar page (feeds/<token>/): open the way that reminds on this phone, first.
 * iPhone: subscribe; Android (Huawei, Xiaomi, OPPO, vivo …): import the file; anything else:
 * the address for a computer's calendar. In WeChat neither button works (no webcal://, no
 * downloads): say first to open the page in the browser, and hide the buttons.
 */
(function () {
  "use strict";
  var ua = navigator.userAgent;
  var touchMac = /Macintosh/.test(ua) && navigator.maxTouchPoints > 1;  // an iPad asking for desktop pages
  var way = /iPhone|iPad|iPod/.test(ua) || touchMac ? "ios"
    : /Android|HarmonyOS|OpenHarmony/i.test(ua) ? "android" : "desktop";
  var ways = document.querySelectorAll("[data-bd-way]");
  ways.forEach(function (details) {
    var mine = details.getAttribute("data-bd-way") === way;
    details.open = mine;
    if (mine) details.parentNode.insertBefore(details, ways[0]);
  });
  if (/MicroMessenger/i.test(ua)) {
    document.querySelectorAll("[data-bd-wechat]").forEach(function (note) { note.hidden = false; });
    document.querySelectorAll("[data-bd-button]").forEach(function (button) {
      button.parentNode.hidden = true;
    });
  }
})();
