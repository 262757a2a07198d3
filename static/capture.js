// Job Copilot: the new-application form filled from a job posting. Two
// ways in, one filling: on the new-application page the person pastes the
// posting's link and its page (source or text) and presses "Fill the form";
// on /capture the bookmarklet has put the page's address, title, JSON-LD
// and selected text in the URL fragment. Either way POST /api/v1/capture
// reads the posting and the fields it found are filled for review, each
// marked "from the posting". Nothing is saved until the form's own button
// is pressed. In Settings, the bookmarklet link itself is kept from running
// on this site (it is meant for the bookmarks bar).
(function () {
  "use strict";
  var meta = document.querySelector('meta[name="csrf-token"]');
  var csrf = meta ? meta.getAttribute("content") : "";
  // The capture API's limit on a body (5 MiB).
  var LIMIT = 5 * 1024 * 1024;
  var FIELDS = ["company", "title", "location", "work_mode", "salary_min", "salary_max",
    "salary_currency", "deadline", "url", "job_description", "source", "tags"];
  var FOUND_BY = {
    "json-ld": "the page’s structured data (JSON-LD)",
    "microdata": "the page’s structured data (microdata)",
    "meta": "the page’s title and description",
    "text": "the page’s text"
  };

  // Settings: a click on the bookmarklet here only says what it is for.
  document.querySelectorAll("a[data-bookmarklet]").forEach(function (link) {
    link.addEventListener("click", function (e) {
      e.preventDefault();
      var note = document.getElementById(link.dataset.bookmarklet);
      if (note) note.hidden = false;
    });
  });

  var section = document.querySelector("[data-capture]");
  var form = document.getElementById("application-form");
  if (!section || !form) return;
  var status = document.getElementById("capture-status");
  var problemBox = document.getElementById("capture-error");
  var duplicateBox = document.getElementById("capture-duplicate");

  function plural(n, one, many) {
    return n + " " + (n === 1 ? one : many);
  }

  function sentence(text) {
    return String(text || "").replace(/[.\s]+$/, "") + ".";
  }

  // POSTs the posting; answers {ok, status, data, retryAfter} (status 0: no answer).
  function capture(body) {
    return fetch("/api/v1/capture", {
      method: "POST", credentials: "same-origin", body: body,
      headers: { "X-CSRF-Token": csrf, "Content-Type": "application/json", "Accept": "application/json" }
    }).then(function (res) {
      return res.json().catch(function () { return {}; }).then(function (data) {
        return { ok: res.ok, status: res.status, data: data, retryAfter: res.headers.get("Retry-After") };
      });
    }, function () {
      return { ok: false, status: 0, data: {} };
    });
  }

  // A message beside an input of the paste section ("" clears it).
  function inputError(name, text) {
    var input = document.getElementById("capture-" + name);
    var box = document.getElementById("capture-" + name + "-error");
    if (!input || !box) return false;
    box.textContent = text;
    box.hidden = !text;
    var hint = "capture-" + name + "-hint";
    if (text) {
      input.setAttribute("aria-invalid", "true");
      input.setAttribute("aria-describedby", box.id + " " + hint);
    } else {
      input.removeAttribute("aria-invalid");
      input.setAttribute("aria-describedby", hint);
    }
    return true;
  }

  function problem(text) {
    problemBox.textContent = text;
    problemBox.hidden = !text;
  }

  function clearProblems() {
    inputError("url", "");
    inputError("source", "");
    problem("");
  }

  // A refused capture in words, each message beside the input it is about
  // (in the section's own message when there is none, as on /capture).
  function showProblem(r, body) {
    var d = r.data || {};
    var general = [];
    var say = function (field, text) {
      if (!(field && inputError(field, text))) general.push(text);
    };
    if (r.status === 0) {
      say("", "The server could not be reached. Check the connection and try again.");
    } else if (r.status === 413) {
      say("source", "This page is too large to read: at most 5 MB.");
    } else if (r.status === 429) {
      var minutes = Math.max(1, Math.ceil((Number(r.retryAfter) || 60) / 60));
      say("", "Too many captures in the last hour. Try again in " + plural(minutes, "minute", "minutes") + ", or fill in the form yourself.");
    } else if (r.status === 422 && body && !body.html && !body.text && (d.errors || []).some(function (e) { return e.field === "url"; })) {
      // A link alone, and this server does not fetch pages (or could not).
      var reason = (d.errors || []).filter(function (e) { return e.field === "url"; })[0].message;
      say("url", "The link alone could not be read (" + String(reason).replace(/[.\s]+$/, "") + "). Paste the page’s text or source below too.");
    } else if ((d.errors || []).length) {
      d.errors.forEach(function (e) {
        if (e.field === "url") say("url", sentence("The link " + e.message));
        else if (e.field === "html" || e.field === "text") say("source", sentence("The page " + e.message));
        else say("", sentence((e.field ? e.field + ": " : "") + e.message));
      });
    } else {
      say("", d.detail || d.title || "The posting could not be read (HTTP " + r.status + ").");
    }
    problem(general.join(" "));
  }

  // Marks from an earlier filling are taken away before the next one.
  function clearMarks() {
    form.querySelectorAll(".captured-note").forEach(function (note) {
      var input = document.getElementById(note.dataset.for);
      if (input) {
        var rest = (input.getAttribute("aria-describedby") || "").split(" ").filter(function (id) { return id && id !== note.id; });
        if (rest.length) input.setAttribute("aria-describedby", rest.join(" "));
        else input.removeAttribute("aria-describedby");
      }
      note.remove();
    });
    form.querySelectorAll(".field.captured").forEach(function (f) { f.classList.remove("captured"); });
  }

  function mark(input) {
    var field = input.closest(".field");
    if (!field) return;
    field.classList.add("captured");
    var note = document.createElement("p");
    note.className = "captured-note";
    note.id = input.id + "-captured";
    note.dataset.for = input.id;
    note.textContent = "From the posting";
    input.insertAdjacentElement("afterend", note);
    var ids = (input.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
    ids.push(note.id);
    input.setAttribute("aria-describedby", ids.join(" "));
  }

  // Fills the fields the posting gave (null: not found, left as it is);
  // answers how many.
  function fill(fields) {
    var filled = 0;
    FIELDS.forEach(function (name) {
      var value = fields[name];
      if (value === null || value === undefined) return;
      if (Array.isArray(value)) {
        if (!value.length) return;
        // The form reads tags separated by commas.
        value = value.join(", ");
      }
      var input = form.elements[name];
      if (!input) return;
      value = String(value);
      if (input.tagName === "SELECT" && !Array.prototype.some.call(input.options, function (o) { return o.value === value; })) return;
      input.value = value;
      mark(input);
      filled += 1;
    });
    return filled;
  }

  function showDuplicate(d) {
    duplicateBox.textContent = "";
    if (!d) {
      duplicateBox.hidden = true;
      return;
    }
    var p = document.createElement("p");
    p.appendChild(document.createTextNode("This looks like an application you already have: "));
    var link = document.createElement("a");
    link.href = "/applications/" + encodeURIComponent(d.id);
    link.textContent = d.company + " — " + d.title;
    p.appendChild(link);
    p.appendChild(document.createTextNode(" (" + String(d.status).replace(/_/g, " ") + "). Adding this one makes a second application."));
    duplicateBox.appendChild(p);
    duplicateBox.hidden = false;
  }

  function showCapture(data) {
    clearMarks();
    var filled = fill(data.fields || {});
    var how = FOUND_BY[data.found_by];
    if (how) {
      status.textContent = "Filled " + plural(filled, "field", "fields") + " from " + how + ". Check them, then press “Add application”.";
    } else if (filled) {
      status.textContent = "Only the link could be read (" + plural(filled, "field", "fields") + "): fill in the rest yourself.";
    } else {
      status.textContent = "Nothing in this page looked like a job posting: fill in the form yourself.";
    }
    status.dataset.foundBy = data.found_by || "";
    showDuplicate(data.duplicate_of);
  }

  function send(body, done) {
    var json = JSON.stringify(body);
    if (new Blob([json]).size > LIMIT) {
      status.textContent = "";
      showProblem({ status: 413, data: {} });
      done();
      return;
    }
    status.textContent = "Reading the posting…";
    capture(json).then(function (r) {
      if (r.ok) {
        showCapture(r.data);
      } else {
        status.textContent = "";
        showProblem(r, body);
      }
      done();
    });
  }

  // What pasted text is: a page's source when it has HTML's tags.
  function looksLikeHtml(source) {
    return /<(!doctype\s+html|html|head|body|meta|title|script|div|span|section|article|main|p|ul|li|h[1-6])[\s>\/]/i
      .test(source.slice(0, 100000));
  }

  function webAddress(text) {
    return /^https?:\/\//i.test(text) && text.length <= 2000;
  }

  // The new-application page: pasted into the section above the form.
  if (section.dataset.capture === "paste") {
    var button = document.getElementById("capture-fill");
    var urlInput = document.getElementById("capture-url");
    var sourceInput = document.getElementById("capture-source");
    button.addEventListener("click", function () {
      clearProblems();
      var url = urlInput.value.trim();
      var source = sourceInput.value;
      if (!url && !source.trim()) {
        inputError("source", "Paste the posting’s text or page source here (and its link above).");
        sourceInput.focus();
        return;
      }
      var body = {};
      if (url) body.url = url;
      if (source.trim()) body[looksLikeHtml(source) ? "html" : "text"] = source;
      button.disabled = true;
      send(body, function () { button.disabled = false; });
    });
    return;
  }

  // /capture: the bookmarklet's payload, base64url of the UTF-8 JSON
  // {v: 1, url, title, ld: [...], text}; null when it is not one.
  function decode(fragment) {
    try {
      var b64 = fragment.replace(/-/g, "+").replace(/_/g, "/");
      while (b64.length % 4) b64 += "=";
      var binary = atob(b64);
      var bytes = new Uint8Array(binary.length);
      for (var i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
      var p = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
      if (!p || p.v !== 1) return null;
      var text = function (v) { return typeof v === "string" ? v : ""; };
      return {
        url: text(p.url), title: text(p.title), text: text(p.text),
        ld: Array.isArray(p.ld) ? p.ld.filter(function (b) { return typeof b === "string" && b.trim(); }) : []
      };
    } catch (e) {
      return null;
    }
  }

  function escapeHtml(s) {
    return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  }

  // The page as the capture API reads it: its title and JSON-LD blocks as
  // HTML ("<" inside a block becomes \u003c, the same JSON, so that no
  // block can end its script element early), the selection as text.
  function requestFor(p) {
    var body = {};
    if (webAddress(p.url)) body.url = p.url;
    var html = p.title.trim() ? "<title>" + escapeHtml(p.title) + "</title>\n" : "";
    p.ld.forEach(function (block) {
      html += '<script type="application/ld+json">' + block.replace(/</g, "\\u003c") + "</script>\n";
    });
    if (html) body.html = html;
    if (p.text.trim()) body.text = p.text;
    return body;
  }

  // Reads what the bookmarklet sent and fills the form. The page's address
  // is cleared of the payload at once (history, reloads and bookmarks keep
  // only /capture).
  function fromFragment() {
    var fragment = window.location.hash.replace(/^#/, "");
    if (fragment && window.history.replaceState) {
      window.history.replaceState(null, "", window.location.pathname + window.location.search);
    }
    problem("");
    if (!fragment) {
      status.textContent = "";
      problem("Nothing came from the bookmarklet: this page is opened by it, from a job posting. Add its bookmark from Settings, or fill in the form yourself.");
      return;
    }
    var payload = decode(fragment);
    if (!payload) {
      status.textContent = "";
      problem("What the bookmarklet sent could not be read (it may have been cut short). Try it again from the posting, or fill in the form yourself.");
      return;
    }
    // A new posting starts from the empty form.
    form.reset();
    clearMarks();
    showDuplicate(null);
    var body = requestFor(payload);
    if (!body.html && !body.text && !body.url) {
      status.textContent = "";
      problem("The bookmarklet sent nothing to read from that page. Select the posting’s text before you click it, or fill in the form yourself.");
      return;
    }
    send(body, function () {});
  }

  fromFragment();
  // The bookmarklet used again while this page is open in the tab.
  window.addEventListener("hashchange", function () {
    if (window.location.hash.length > 1) fromFragment();
  });
})();
