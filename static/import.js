// Job Copilot, the Import page. A CSV file is previewed by the import API
// (a dry run): what each column fills, the rows with errors and the first
// rows as they will be created. Changing what a column fills previews
// again; "Import" sends the same file and choices for real. An export file
// is sent as it is. Every message from the API is shown beside its input.
(function () {
  "use strict";
  var meta = document.querySelector('meta[name="csrf-token"]');
  var csrf = meta ? meta.getAttribute("content") : "";

  // POSTs a file; answers {ok, status, data, retryAfter} (status 0: no answer).
  function send(path, file, type) {
    return fetch(path, {
      method: "POST", credentials: "same-origin", body: file,
      headers: { "X-CSRF-Token": csrf, "Content-Type": type, "Accept": "application/json" }
    }).then(function (res) {
      return res.json().catch(function () { return {}; }).then(function (data) {
        return { ok: res.ok, status: res.status, data: data, retryAfter: res.headers.get("Retry-After") };
      });
    }, function () {
      return { ok: false, status: 0, data: {} };
    });
  }

  function plural(n, one, many) {
    return n + " " + (n === 1 ? one : many);
  }

  // A refused upload in words: the problem's field messages, else its detail.
  function problemText(r, input) {
    var d = r.data || {};
    if (r.status === 0) return "The server could not be reached. Check the connection and try again.";
    if (r.status === 413) return "This file is too large: at most " + input.dataset.limit + ".";
    if (r.status === 429) {
      var minutes = Math.max(1, Math.ceil((Number(r.retryAfter) || 60) / 60));
      return "Too many imports in the last hour. Try again in " + plural(minutes, "minute", "minutes") + ".";
    }
    var messages = (d.errors || []).slice(0, 5).map(function (e) {
      var own = ["file", "mapping", "body", "format"].indexOf(e.field) >= 0;
      return (own || !e.field ? "" : e.field + ": ") + e.message;
    });
    if (messages.length) {
      var more = (d.errors || []).length - messages.length;
      return messages.join(" · ") + (more > 0 ? " (and " + more + " more)" : "");
    }
    return d.detail || d.title || "The import did not work (HTTP " + r.status + ").";
  }

  // The message beside an input (none: the hint alone describes it).
  function fieldError(input, text) {
    var box = document.getElementById(input.id + "-error");
    var hint = input.id + "-hint";
    box.textContent = text || "";
    box.hidden = !text;
    if (text) {
      input.setAttribute("aria-invalid", "true");
      input.setAttribute("aria-describedby", box.id + " " + hint);
    } else {
      input.removeAttribute("aria-invalid");
      input.setAttribute("aria-describedby", hint);
    }
  }

  // A file over the API's limit is refused here: the server would stop
  // reading it part way, which a browser may report as a broken connection.
  function tooLarge(input, file) {
    if (file.size <= Number(input.dataset.maxBytes)) return false;
    fieldError(input, "This file is too large: at most " + input.dataset.limit + ".");
    return true;
  }

  function cell(tr, text, className) {
    var td = document.createElement("td");
    td.textContent = text === null || text === undefined || text === "" ? "—" : text;
    if (className) td.className = className;
    tr.appendChild(td);
    return td;
  }

  function label(value) {
    var s = String(value || "").replace(/_/g, " ");
    return s.charAt(0).toUpperCase() + s.slice(1);
  }

  function salary(row) {
    var n = function (v) { return Number(v).toLocaleString("en-US"); };
    var min = row.salary_min, max = row.salary_max;
    if (min === null && max === null) return "";
    var range = min !== null && max !== null && min !== max ? n(min) + "–" + n(max) : n(min !== null ? min : max);
    return range + (row.salary_currency ? " " + row.salary_currency : "");
  }

  function firstLine(text) {
    var line = String(text || "").split("\n")[0];
    return line.length > 80 ? line.slice(0, 79) + "…" : line;
  }

  // The header row of a CSV text, for the column menus when the API could
  // not read the columns by itself (no company or title column found).
  function headerRow(text) {
    text = text.replace(/^\ufeff/, "");
    var end = 0, quoted = false;
    while (end < text.length && (quoted || (text[end] !== "\n" && text[end] !== "\r"))) {
      if (text[end] === '"') quoted = !quoted;
      end += 1;
    }
    var line = text.slice(0, end);
    var count = function (sep) { return line.split(sep).length; };
    var sep = [",", ";", "\t"].reduce(function (best, s) { return count(s) > count(best) ? s : best; }, ",");
    var cells = [], current = "", inQuotes = false;
    for (var i = 0; i < line.length; i += 1) {
      var c = line[i];
      if (inQuotes) {
        if (c === '"' && line[i + 1] === '"') { current += '"'; i += 1; }
        else if (c === '"') inQuotes = false;
        else current += c;
      } else if (c === '"') inQuotes = true;
      else if (c === sep) { cells.push(current.trim()); current = ""; }
      else current += c;
    }
    cells.push(current.trim());
    return cells.filter(function (h) { return h !== ""; });
  }

  // A spreadsheet: preview, map, import.
  var csvBox = document.querySelector("[data-csv-import]");
  if (csvBox) {
    var input = document.getElementById("csv-file");
    var status = document.getElementById("csv-status");
    var previewBox = document.getElementById("csv-preview");
    var columns = document.getElementById("csv-columns");
    var mappingError = document.getElementById("csv-mapping-error");
    var errorsBox = document.getElementById("csv-errors-box");
    var errorRows = document.getElementById("csv-errors");
    var rows = document.getElementById("csv-rows");
    var importButton = document.getElementById("csv-import");
    var result = document.getElementById("csv-result");
    var targets = document.getElementById("csv-targets");
    var file = null;
    // The columns the person set by hand ({header: field | null}); the
    // others keep what the API recognised.
    var chosen = {};
    var shownHeaders = "";
    var asked = 0;

    var csvPath = function (dryRun) {
      var query = [];
      if (dryRun) query.push("dry_run=true");
      if (Object.keys(chosen).length) query.push("mapping=" + encodeURIComponent(JSON.stringify(chosen)));
      return "/api/v1/import/csv" + (query.length ? "?" + query.join("&") : "");
    };

    // One row per column of the file, each with its menu (built once per
    // file, so a menu keeps the focus while the preview is redone).
    var showColumns = function (mapping) {
      var headers = Object.keys(mapping);
      if (JSON.stringify(headers) !== shownHeaders) {
        shownHeaders = JSON.stringify(headers);
        columns.textContent = "";
        headers.forEach(function (header, i) {
          var tr = document.createElement("tr");
          var th = document.createElement("th");
          th.scope = "row";
          th.textContent = header;
          var td = document.createElement("td");
          var name = document.createElement("label");
          name.className = "visually-hidden";
          name.htmlFor = "csv-map-" + i;
          name.textContent = "What the column " + header + " fills";
          var select = document.createElement("select");
          select.id = "csv-map-" + i;
          select.dataset.column = header;
          select.appendChild(targets.content.cloneNode(true));
          select.addEventListener("change", function () {
            chosen[header] = select.value || null;
            preview();
          });
          td.appendChild(name);
          td.appendChild(select);
          tr.appendChild(th);
          tr.appendChild(td);
          columns.appendChild(tr);
        });
      }
      columns.querySelectorAll("select").forEach(function (select) {
        var field = mapping[select.dataset.column];
        select.value = field || "";
        select.closest("tr").classList.toggle("ignored", !field);
      });
    };

    var showPreview = function (d) {
      showColumns(d.mapping);
      mappingError.hidden = true;
      errorRows.textContent = "";
      d.errors.forEach(function (e) {
        var tr = document.createElement("tr");
        cell(tr, e.row, "num");
        cell(tr, e.column);
        cell(tr, e.message);
        errorRows.appendChild(tr);
      });
      errorsBox.hidden = d.errors.length === 0;
      rows.textContent = "";
      d.preview.forEach(function (row) {
        var tr = document.createElement("tr");
        if (row.skipped) tr.className = "skipped";
        cell(tr, row.row, "num");
        cell(tr, row.company, "company");
        cell(tr, row.title);
        var st = cell(tr, "");
        st.textContent = "";
        var badge = document.createElement("span");
        badge.className = "status status-" + row.status;
        badge.textContent = label(row.status);
        st.appendChild(badge);
        cell(tr, row.applied_on, "nowrap");
        cell(tr, salary(row), "nowrap");
        cell(tr, (row.tags || []).join(", "));
        cell(tr, firstLine(row.note));
        cell(tr, row.skipped ? "Already there" : "New", row.skipped ? "already" : "new");
        rows.appendChild(tr);
      });
      var bad = {};
      d.errors.forEach(function (e) { bad[e.row] = true; });
      var refused = Object.keys(bad).length;
      status.textContent = plural(d.rows, "row", "rows") + " in the file: " + d.created + " to import, " +
        d.skipped + " already there, " + refused + " with errors." +
        (d.rows > d.preview.length + refused ? " The first " + d.preview.length + " are shown." : "");
      importButton.textContent = "Import " + plural(d.created, "application", "applications");
      importButton.disabled = d.created === 0;
      previewBox.hidden = false;
    };

    // The API found no company or title column: the menus come from the
    // file's own first row, so the person can say which is which.
    var askForColumns = function (message) {
      file.slice(0, 65536).text().then(function (text) {
        var headers = headerRow(text);
        if (!headers.length) return;
        var mapping = {};
        headers.forEach(function (h) { mapping[h] = Object.prototype.hasOwnProperty.call(chosen, h) ? chosen[h] : null; });
        showColumns(mapping);
        errorsBox.hidden = true;
        rows.textContent = "";
        mappingError.textContent = message + " Choose what the columns fill.";
        mappingError.hidden = false;
        importButton.textContent = "Import";
        importButton.disabled = true;
        previewBox.hidden = false;
      });
    };

    var preview = function () {
      var mine = ++asked;
      fieldError(input, "");
      result.hidden = true;
      if (tooLarge(input, file)) {
        previewBox.hidden = true;
        status.textContent = "";
        return;
      }
      status.textContent = "Reading " + file.name + "…";
      importButton.disabled = true;
      send(csvPath(true), file, "text/csv").then(function (r) {
        if (mine !== asked) return;
        if (r.ok) {
          showPreview(r.data);
          return;
        }
        status.textContent = "";
        var mappingProblem = r.status === 422 && (r.data.errors || []).length &&
          r.data.errors.every(function (e) { return e.field === "mapping"; });
        if (mappingProblem) {
          if (previewBox.hidden) {
            askForColumns(problemText(r, input));
          } else {
            mappingError.textContent = problemText(r, input);
            mappingError.hidden = false;
          }
          return;
        }
        previewBox.hidden = true;
        fieldError(input, problemText(r, input));
      });
    };

    input.addEventListener("change", function () {
      file = input.files && input.files[0] ? input.files[0] : null;
      chosen = {};
      shownHeaders = "";
      previewBox.hidden = true;
      result.hidden = true;
      if (file) preview();
      else fieldError(input, "");
    });

    importButton.addEventListener("click", function () {
      if (!file) return;
      var mine = ++asked;
      importButton.disabled = true;
      status.textContent = "Importing…";
      send(csvPath(false), file, "text/csv").then(function (r) {
        if (mine !== asked) return;
        status.textContent = "";
        if (!r.ok) {
          importButton.disabled = false;
          fieldError(input, problemText(r, input));
          return;
        }
        var d = r.data;
        previewBox.hidden = true;
        result.textContent = "";
        var done = document.createElement("p");
        done.className = "flash";
        var refused = {};
        d.errors.forEach(function (e) { refused[e.row] = true; });
        var left = Object.keys(refused).length;
        done.textContent = "Imported " + plural(d.created, "application", "applications") + "." +
          (d.skipped ? " " + plural(d.skipped, "row was", "rows were") + " already there." : "") +
          (left ? " " + plural(left, "row with errors was", "rows with errors were") + " left out." : "");
        var next = document.createElement("p");
        var link = document.createElement("a");
        link.href = "/applications";
        link.textContent = "See your applications";
        next.appendChild(link);
        result.appendChild(done);
        result.appendChild(next);
        result.hidden = false;
        input.value = "";
        file = null;
      });
    });
  }

  // An export file: sent as it is, the counts shown.
  var exportBox = document.querySelector("[data-export-import]");
  if (exportBox) {
    var exportInput = document.getElementById("export-file");
    var exportButton = document.getElementById("export-import");
    var exportStatus = document.getElementById("export-status");
    var exportResult = document.getElementById("export-result");
    exportInput.addEventListener("change", function () {
      fieldError(exportInput, "");
      exportResult.hidden = true;
      exportButton.disabled = !(exportInput.files && exportInput.files[0]);
    });
    exportButton.addEventListener("click", function () {
      var chosenFile = exportInput.files && exportInput.files[0];
      if (!chosenFile) return;
      fieldError(exportInput, "");
      if (tooLarge(exportInput, chosenFile)) return;
      exportButton.disabled = true;
      exportStatus.textContent = "Importing " + chosenFile.name + "… a large file takes a while.";
      send("/api/v1/import/export", chosenFile, "application/json").then(function (r) {
        exportStatus.textContent = "";
        if (!r.ok) {
          exportButton.disabled = false;
          fieldError(exportInput, problemText(r, exportInput));
          return;
        }
        var c = r.data;
        exportResult.textContent = "";
        var done = document.createElement("p");
        done.className = "flash";
        done.textContent = "Imported " + plural(c.applications, "application", "applications") + " with " +
          plural(c.notes, "note", "notes") + ", " + plural(c.interviews, "interview", "interviews") + ", " +
          plural(c.history, "status change", "status changes") +
          (c.generations ? " and " + plural(c.generations, "draft", "drafts") : "") + "." +
          (c.skipped ? " " + plural(c.skipped, "application was", "applications were") + " already here and left as they are." : "");
        var next = document.createElement("p");
        var link = document.createElement("a");
        link.href = "/applications";
        link.textContent = "See your applications";
        next.appendChild(link);
        exportResult.appendChild(done);
        exportResult.appendChild(next);
        exportResult.hidden = false;
        exportInput.value = "";
      });
    });
  }
})();
