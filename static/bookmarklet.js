// Job Copilot's bookmarklet, readable. Settings ("Capture from any page")
// offers it as a javascript: link made from this file when the server is
// built: comment lines are dropped, the lines joined with spaces (so every
// statement ends with a semicolon and comments stand on their own lines)
// and JOB_COPILOT_SERVER replaced by this server's public address.
//
// It runs on the job posting's page, in that page, when the person clicks
// the bookmark. It reads the page's address, its title, the text of its
// JSON-LD blocks and the selected text, and opens this server's /capture
// page in a new tab with them in the URL fragment, as base64url of the
// UTF-8 JSON {v: 1, url, title, ld: [...], text}. A fragment is never sent
// to a server: the capture page's script reads it. Nothing is sent anywhere
// else and nothing is saved until the person presses the form's button.
(function () {
  var server = JOB_COPILOT_SERVER;
  // JSON-LD in all (whole blocks: a cut one would not parse) and the
  // selection, in characters; they keep the address short enough for any
  // browser.
  var ldLimit = 200000;
  var textLimit = 20000;
  var ld = [];
  var used = 0;
  var blocks = document.querySelectorAll('script[type="application/ld+json"]');
  for (var i = 0; i < blocks.length; i += 1) {
    var block = blocks[i].textContent || "";
    if (block.trim() && used + block.length <= ldLimit) {
      ld.push(block);
      used += block.length;
    }
  }
  var href = String(location.href);
  var selection = window.getSelection ? String(window.getSelection()) : "";
  var payload = JSON.stringify({
    v: 1,
    url: href.length <= 2000 ? href : "",
    title: String(document.title || "").slice(0, 1000),
    ld: ld,
    text: selection.slice(0, textLimit)
  });
  // base64url of the UTF-8 bytes (btoa alone takes Latin-1 only).
  var bytes = new TextEncoder().encode(payload);
  var binary = "";
  for (var j = 0; j < bytes.length; j += 8192) {
    binary += String.fromCharCode.apply(null, bytes.subarray(j, j + 8192));
  }
  var encoded = btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  var target = server + "/capture#" + encoded;
  // A new tab that cannot reach back into this page; where pop-ups are
  // refused, this tab goes there instead.
  var tab = window.open("", "_blank");
  if (tab) {
    tab.opener = null;
    tab.location.href = target;
  } else {
    location.href = target;
  }
})();
