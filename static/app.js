// Job Copilot: niceties only. Every page works without this file: forms
// post and redirect. Here: drag on the board, instant status moves, live
// updates pushed by the server (the inbox's count among them), the live
// ranking preview in Settings, the Inbox's drop zone and keyboard shortcuts.
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  var meta = document.querySelector('meta[name="csrf-token"]');
  var csrf = meta ? meta.getAttribute("content") : "";

  function api(method, path, body, version) {
    var headers = { "X-CSRF-Token": csrf, "Accept": "application/json" };
    if (body !== undefined) headers["Content-Type"] = method === "PATCH" ? "application/merge-patch+json" : "application/json";
    if (version) headers["If-Match"] = '"' + version + '"';
    return fetch(path, {
      method: method, headers: headers, credentials: "same-origin",
      body: body === undefined ? undefined : JSON.stringify(body)
    }).then(function (res) {
      return res.json().catch(function () { return {}; }).then(function (data) {
        return { ok: res.ok, status: res.status, data: data };
      });
    });
  }

  function say(text) {
    var note = document.getElementById("live-note");
    if (!note) return;
    note.textContent = text;
    note.hidden = false;
  }

  // Whether keys typed now go into a field (so they are text, not commands).
  function typingIn(el) {
    if (!el || el.nodeType !== 1) return false;
    return el.isContentEditable || !!el.closest("input, textarea, select, [contenteditable]:not([contenteditable=false])");
  }

  function busy() {
    return typingIn(document.activeElement);
  }

  // Board: drag a card to a column it may move to.
  var board = document.querySelector("[data-board]");
  if (board) {
    var dragged = null;
    board.querySelectorAll('.card-item[draggable="true"]').forEach(function (card) {
      card.addEventListener("dragstart", function (e) {
        dragged = card;
        card.classList.add("dragging");
        e.dataTransfer.effectAllowed = "move";
        e.dataTransfer.setData("text/plain", card.dataset.id);
        var allowed = (card.dataset.allowed || "").split(",");
        board.querySelectorAll(".column").forEach(function (col) {
          col.classList.add(allowed.indexOf(col.dataset.status) >= 0 ? "drop-ok" : "drop-no");
        });
      });
      card.addEventListener("dragend", function () {
        card.classList.remove("dragging");
        board.querySelectorAll(".column").forEach(function (col) { col.classList.remove("drop-ok", "drop-no"); });
      });
    });
    board.querySelectorAll(".column").forEach(function (col) {
      col.addEventListener("dragover", function (e) {
        if (col.classList.contains("drop-ok")) e.preventDefault();
      });
      col.addEventListener("drop", function (e) {
        e.preventDefault();
        if (!dragged || !col.classList.contains("drop-ok")) return;
        moveCard(dragged, col.dataset.status);
      });
    });
    // Without drag: choosing in a card's menu moves it at once (the menu
    // starts on a prompt, so every real choice is a change).
    board.querySelectorAll("form.move select").forEach(function (select) {
      var prompt = select.options[0];
      if (!prompt || prompt.value !== "") {
        prompt = document.createElement("option");
        prompt.value = "";
        select.insertBefore(prompt, select.firstChild);
      }
      prompt.textContent = "Move to…";
      prompt.disabled = true;
      select.value = "";
      var button = select.form.querySelector("button");
      if (button) button.hidden = true;
      select.addEventListener("change", function () {
        if (select.value) moveCard(select.closest(".card-item"), select.value);
      });
    });
  }

  function moveCard(card, status) {
    var id = card.dataset.id;
    api("PATCH", "/api/v1/applications/" + id, { status: status }, card.dataset.version).then(function (r) {
      if (r.ok) {
        var col = board.querySelector('.column[data-status="' + status + '"] .cards');
        if (col) col.prepend(card);
        window.location.reload();
      } else {
        say((r.data && (r.data.detail || r.data.title)) || "That move did not work; the page shows how things stand.");
      }
    });
  }

  // Live updates: pages that only show data refresh when it changes
  // (never while you type); others say that something changed.
  if (window.EventSource && document.querySelector('meta[name="csrf-token"]')) {
    var live = document.querySelector("[data-live]") || document.querySelector("[data-board]");
    var source = new EventSource("/api/v1/events");
    source.addEventListener("open", function () { document.documentElement.dataset.live = "open"; });
    source.addEventListener("error", function () { document.documentElement.dataset.live = "reconnecting"; });
    var pending = null;
    var onChange = function () {
      // A page that makes the changes itself (the Import page) says so itself.
      if (pending || document.querySelector("[data-live-quiet]")) return;
      pending = setTimeout(function () {
        pending = null;
        if (live && !busy()) {
          window.location.reload();
        } else {
          say("Something changed since this page was opened. Reload to see it.");
        }
      }, 300);
    };
    ["dashboard.updated", "application.created", "application.updated", "application.deleted",
     "interview.created", "interview.updated", "interview.deleted", "applications.rescored",
     "applications.imported"].forEach(function (kind) {
      source.addEventListener(kind, onChange);
    });
    // AI drafts grow on the page as they are written.
    source.addEventListener("generation.progress", function (e) {
      var d;
      try { d = JSON.parse(e.data); } catch (err) { return; }
      var box = document.querySelector('[data-generation="' + d.id + '"] [data-output]');
      if (!box) return;
      var chars = Array.from(box.textContent);
      if (d.offset <= chars.length) box.textContent = chars.slice(0, d.offset).join("") + d.delta;
      var waiting = box.parentNode.querySelector("[data-waiting]");
      if (waiting) waiting.textContent = "Being written…";
    });
    source.addEventListener("generation.finished", function (e) {
      var d;
      try { d = JSON.parse(e.data); } catch (err) { return; }
      if (!document.querySelector('[data-generation="' + d.id + '"]')) return;
      if (!busy()) window.location.reload();
      else say("A draft is finished. Reload to see it.");
    });
    // The inbox: the navigation's count follows; the Inbox page's list is
    // replaced in place when the count changes (the page is not reloaded,
    // so a flash, a chosen file or the scroll stay; never while you type
    // or edit a suggestion).
    var pendingAsOf = 0;
    source.addEventListener("inbox.updated", function (e) {
      var d;
      try { d = JSON.parse(e.data); } catch (err) { return; }
      // Counts announced out of order: the newest one stands.
      if (typeof d.as_of === "number") {
        if (d.as_of < pendingAsOf) return;
        pendingAsOf = d.as_of;
      }
      showPending(d.pending);
      var inbox = document.querySelector("[data-inbox]");
      if (inbox && String(d.pending) !== inbox.dataset.pending) refreshInbox();
    });
    // Suggestions made between this page's rendering and the stream's
    // opening sent their event to nobody: the list is read once more.
    if (document.querySelector("[data-inbox]")) {
      source.addEventListener("open", refreshInbox);
    }
    source.addEventListener("reminder.due", function (e) {
      try { say("Reminder: " + JSON.parse(e.data).title); } catch (err) { /* not for us */ }
    });
    window.addEventListener("beforeunload", function () { source.close(); });
  }

  // Drafts still being written are also checked every two seconds, so a
  // draft finished while the page was loading (its event came before the
  // stream was open) never stays shown as running.
  var unfinished = document.querySelectorAll('article.draft[data-status="queued"], article.draft[data-status="running"]');
  if (unfinished.length) {
    var poll = setInterval(function () {
      unfinished.forEach(function (article) {
        fetch("/api/v1/generations/" + article.dataset.generation, { credentials: "same-origin", headers: { "Accept": "application/json" } })
          .then(function (res) { return res.ok ? res.json() : null; })
          .then(function (g) {
            if (!g) return;
            if (["succeeded", "failed", "cancelled"].indexOf(g.status) >= 0) {
              clearInterval(poll);
              if (!busy()) window.location.reload();
              else say("A draft is finished. Reload to see it.");
              return;
            }
          })
          .catch(function () { /* the next round tries again */ });
      });
    }, 2000);
  }

  // Settings: the ranking these preferences would give, as you type.
  var prefs = document.querySelector("[data-preview-form]");
  if (prefs) {
    var timer = null;
    var list = function (name) {
      return (prefs.elements[name].value || "").split(/[,\n]/).map(function (s) { return s.trim(); }).filter(Boolean);
    };
    var number = function (name) {
      var v = (prefs.elements[name].value || "").replace(/[,_ ]/g, "");
      return v === "" ? null : Number(v);
    };
    var preview = function () {
      var weights = {};
      ["salary", "location", "work_mode", "keywords", "company", "freshness"].forEach(function (w) {
        var v = number("weight_" + w);
        if (v !== null) weights[w] = v;
      });
      var body = {
        target_salary: number("target_salary"),
        salary_currency: prefs.elements.salary_currency.value.trim(),
        preferred_locations: list("preferred_locations"),
        work_modes: Array.prototype.filter.call(prefs.querySelectorAll('input[name="work_modes"]'), function (c) { return c.checked; }).map(function (c) { return c.value; }),
        keywords_include: list("keywords_include"), keywords_exclude: list("keywords_exclude"),
        companies_favored: list("companies_favored"), companies_avoided: list("companies_avoided"),
        follow_up_after_days: number("follow_up_after_days"), ghosted_after_days: number("ghosted_after_days"),
        weights: weights
      };
      api("POST", "/api/v1/preferences/preview", body).then(function (r) {
        var box = document.getElementById("preview");
        box.textContent = "";
        var h = document.createElement("h3");
        box.appendChild(h);
        if (!r.ok) {
          h.textContent = "The preview waits for valid preferences: " + ((r.data && r.data.detail) || "check the marked fields");
          return;
        }
        h.textContent = "Your top applications with these preferences (not saved yet)";
        var ol = document.createElement("ol");
        ol.className = "list recs";
        r.data.forEach(function (item) {
          var li = document.createElement("li");
          var score = document.createElement("span");
          score.className = "score";
          score.textContent = item.priority_score;
          var a = document.createElement("a");
          a.href = "/applications/" + item.application_id;
          a.textContent = " " + item.company + " — " + item.title;
          li.appendChild(score);
          li.appendChild(a);
          if (item.reasons && item.reasons.length) {
            var p = document.createElement("p");
            p.className = "reasons";
            p.textContent = item.reasons.join(" · ");
            li.appendChild(p);
          }
          ol.appendChild(li);
        });
        if (!r.data.length) {
          var none = document.createElement("p");
          none.className = "muted";
          none.textContent = "No active applications to rank yet.";
          box.appendChild(none);
        }
        box.appendChild(ol);
      });
    };
    prefs.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(preview, 400);
    });
  }

  // Keyboard shortcuts ("?" lists them). Never while typing in a field or
  // with Ctrl, Alt or Meta held (those belong to the browser).
  var help = document.getElementById("shortcuts");
  if (help) {
    var pages = { d: "/", a: "/applications", b: "/applications/board", i: "/interviews", r: "/analytics", s: "/settings" };
    var leader = 0;
    var search = function () {
      var q = document.getElementById("q");
      if (q) { q.focus(); q.select(); } else { window.location.href = "/applications#search"; }
    };
    if (window.location.hash === "#search") search();
    document.addEventListener("keydown", function (e) {
      if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || e.isComposing) return;
      if (typingIn(e.target) || help.open) return;
      var key = e.key;
      if (leader && Date.now() - leader < 1500) {
        leader = 0;
        if (Object.prototype.hasOwnProperty.call(pages, key)) {
          e.preventDefault();
          window.location.href = pages[key];
        }
        return;
      }
      leader = 0;
      if (key === "g") {
        leader = Date.now();
      } else if (key === "n") {
        e.preventDefault();
        window.location.href = "/applications/new";
      } else if (key === "/") {
        e.preventDefault();
        search();
      } else if (key === "?") {
        e.preventDefault();
        help.showModal();
      }
    });
  }

  // Reads the Inbox page again and puts its list in place of this one's;
  // a second call while one is reading reads once more after it.
  var inboxReading = false;
  var inboxAgain = false;
  function refreshInbox() {
    if (inboxReading) { inboxAgain = true; return; }
    inboxReading = true;
    inboxAgain = false;
    var done = function () {
      inboxReading = false;
      if (inboxAgain) refreshInbox();
    };
    fetch(window.location.href, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (res) { return res.ok ? res.text() : null; })
      .then(function (html) {
        var current = document.querySelector("[data-inbox]");
        var fresh = html && new DOMParser().parseFromString(html, "text/html").querySelector("[data-inbox]");
        if (current && fresh && current.innerHTML !== fresh.innerHTML) {
          if (busy() || document.querySelector("details.edit[open]")) {
            say("New suggestions arrived. Reload to see them.");
          } else {
            current.replaceWith(fresh);
          }
        }
        done();
      })
      .catch(done);
  }

  function showPending(n) {
    var badge = document.querySelector("[data-inbox-count]");
    if (!badge || typeof n !== "number") return;
    badge.querySelector("[data-count]").textContent = String(n);
    badge.hidden = n === 0;
  }

  // Inbox: .eml files dropped on the box are uploaded by the form (the same
  // post as choosing them and pressing Upload).
  var zone = document.querySelector("[data-drop-zone]");
  if (zone) {
    var files = zone.querySelector('input[type="file"]');
    var status = zone.querySelector("[data-drop-status]");
    var chosen = function (list) {
      status.textContent = list.length === 1 ? "1 file chosen: " + list[0].name : list.length + " files chosen";
      status.hidden = list.length === 0;
    };
    ["dragenter", "dragover"].forEach(function (kind) {
      zone.addEventListener(kind, function (e) {
        e.preventDefault();
        zone.classList.add("over");
      });
    });
    zone.addEventListener("dragleave", function (e) {
      if (!zone.contains(e.relatedTarget)) zone.classList.remove("over");
    });
    zone.addEventListener("drop", function (e) {
      e.preventDefault();
      zone.classList.remove("over");
      if (!e.dataTransfer || !e.dataTransfer.files.length) return;
      files.files = e.dataTransfer.files;
      chosen(files.files);
      status.textContent = "Uploading " + status.textContent.toLowerCase() + "…";
      files.form.submit();
    });
    files.addEventListener("change", function () { chosen(files.files); });
  }

  // Forms that wait on another server (the mailbox login) say so while
  // they wait, and are not sent twice.
  document.querySelectorAll("form[data-busy]").forEach(function (form) {
    form.addEventListener("submit", function () {
      var button = form.querySelector('button[type="submit"]');
      if (!button) return;
      setTimeout(function () { button.disabled = true; }, 0);
      button.textContent = form.dataset.busy;
    });
  });

  // The calendar link selects itself for copying.
  document.querySelectorAll("[data-copy]").forEach(function (input) {
    input.addEventListener("focus", function () { input.select(); });
  });

  // Signing in on the way to /capture: what the bookmarklet sent after the
  // "#" (never sent to the server) follows the form, and the redirect after
  // it, back to the capture page.
  if (window.location.hash.length > 1) {
    document.querySelectorAll('form input[name="next"][value="/capture"]').forEach(function (next) {
      next.form.setAttribute("action", next.form.getAttribute("action").split("#")[0] + window.location.hash);
    });
    document.querySelectorAll('a[href^="/auth/register?next=%2Fcapture"]').forEach(function (link) {
      link.setAttribute("href", link.getAttribute("href").split("#")[0] + window.location.hash);
    });
  }
})();
