// mtqa HTML report: filters by severity, category and review state; the reviewer's decisions (kept in local
// storage, downloaded as a baseline file); collapsing of pairs without findings; and click-to-link between
// a highlighted span and its finding. Works on the server-rendered markup only.
(function () {
  "use strict";
  var RANK = { minor: 0, major: 1, critical: 2 };
  var findings = {};
  document.querySelectorAll("li.finding").forEach(function (li) {
    findings[li.dataset.fid] = { li: li, severity: li.dataset.severity, category: li.dataset.category };
  });

  // Review: accept (a real error), dismiss (a false positive, with a reason) or fixed, per finding; kept in
  // local storage under the report's files, downloaded as a baseline file for `mtqa check --baseline`.
  var reviewData = JSON.parse((document.getElementById("review-data") || {}).textContent || "{}");
  var reviewInfo = reviewData.findings || {};
  var storageKey = reviewData.key || "mtqa-review";
  var decisions = {};
  try { decisions = JSON.parse(window.localStorage.getItem(storageKey) || "{}"); } catch (e) { decisions = {}; }
  function save() {
    try { window.localStorage.setItem(storageKey, JSON.stringify(decisions)); } catch (e) { /* private mode */ }
  }
  function stateOf(fid) {
    var info = reviewInfo[fid];
    if (!info) return "open";
    var decision = decisions[info.fingerprint];
    if (decision && decision.state) return decision.state;
    return info.known && info.known !== "known" ? info.known : "open";
  }
  function reasonOf(fid) {
    var info = reviewInfo[fid];
    var decision = info && decisions[info.fingerprint];
    return decision ? decision.reason || "" : (info ? info.reason || "" : "");
  }
  function paint(fid) {
    var f = findings[fid];
    var state = stateOf(fid);
    f.li.dataset.state = state;
    f.li.querySelectorAll("button.review-button").forEach(function (button) {
      button.classList.toggle("on", button.dataset.state === state);
      button.setAttribute("aria-pressed", button.dataset.state === state ? "true" : "false");
    });
    var reason = f.li.querySelector("input.review-reason");
    if (reason) {
      reason.hidden = state !== "dismissed";
      if (document.activeElement !== reason) reason.value = reasonOf(fid);
    }
  }
  Object.keys(findings).forEach(function (fid) {
    var info = reviewInfo[fid];
    if (!info) return;
    var li = findings[fid].li;
    if (info.known) li.classList.add("known");
    var box = document.createElement("span");
    box.className = "review";
    [["accepted", "accept"], ["dismissed", "dismiss"], ["fixed", "fixed"]].forEach(function (pair) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "review-button";
      button.dataset.state = pair[0];
      button.textContent = pair[1];
      box.appendChild(button);
    });
    var reason = document.createElement("input");
    reason.type = "text";
    reason.className = "review-reason";
    reason.placeholder = "why is this a false positive?";
    box.appendChild(reason);
    li.appendChild(box);
    paint(fid);
  });
  var reviewer = document.getElementById("reviewer");
  if (reviewer) {
    reviewer.value = window.localStorage ? (window.localStorage.getItem("mtqa-reviewer") || "") : "";
    reviewer.addEventListener("input", function () {
      try { window.localStorage.setItem("mtqa-reviewer", reviewer.value); } catch (e) { /* ignore */ }
    });
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest("button.review-button");
    if (!button) return;
    event.stopPropagation();
    var fid = button.closest("li.finding").dataset.fid;
    var fingerprint = reviewInfo[fid].fingerprint;
    var same = stateOf(fid) === button.dataset.state;
    decisions[fingerprint] = same ? { state: "open" } : {
      state: button.dataset.state,
      reason: reasonOf(fid),
      author: reviewer ? reviewer.value : "",
    };
    save();
    paint(fid);
    apply();
  }, true);
  document.addEventListener("input", function (event) {
    if (!event.target.classList.contains("review-reason")) return;
    var fid = event.target.closest("li.finding").dataset.fid;
    var decision = decisions[reviewInfo[fid].fingerprint] || { state: stateOf(fid) };
    decision.reason = event.target.value;
    decisions[reviewInfo[fid].fingerprint] = decision;
    save();
  });

  function baselineText() {
    var entries = [];
    Object.keys(reviewInfo).forEach(function (fid) {
      var info = reviewInfo[fid];
      var state = stateOf(fid);
      if (state === "open" && !info.known) return;
      var decision = decisions[info.fingerprint] || {};
      var entry = { fingerprint: info.fingerprint, state: state === "open" ? "known" : state };
      ["check", "category", "severity", "message", "source", "target"].forEach(function (key) {
        if (info[key]) entry[key] = info[key];
      });
      var reason = reasonOf(fid);
      var author = decision.author || info.author || "";
      if (reason) entry.reason = reason;
      if (author) entry.author = author;
      entries.push(entry);
    });
    var data = {};
    Object.keys(reviewData.format || { mtqa_baseline: 1 }).forEach(function (key) {
      data[key] = (reviewData.format || { mtqa_baseline: 1 })[key];
    });
    data.findings = entries;
    return JSON.stringify(data, null, 2) + "\n";
  }
  var download = document.getElementById("download-baseline");
  if (download) {
    download.addEventListener("click", function () {
      var link = document.createElement("a");
      link.href = URL.createObjectURL(new Blob([baselineText()], { type: "application/json" }));
      link.download = "mtqa-baseline.json";
      document.body.appendChild(link);
      link.click();
      link.remove();
    });
  }

  function checked(selector) {
    var set = {};
    document.querySelectorAll(selector).forEach(function (box) { if (box.checked) set[box.value] = true; });
    return set;
  }

  function ids(element, attribute) {
    var value = element.getAttribute(attribute) || "";
    return value ? value.split(" ") : [];
  }

  function apply() {
    var severities = checked("input.filter-severity");
    var categories = checked("input.filter-category");
    var states = checked("input.filter-state");
    var knownBox = document.getElementById("show-known");
    var showKnown = knownBox ? knownBox.checked : true;
    var stateCounts = {};
    var showClean = document.getElementById("show-clean").checked;
    var visible = {};
    var shown = 0;
    var total = 0;
    Object.keys(findings).forEach(function (fid) {
      var f = findings[fid];
      var state = stateOf(fid);
      stateCounts[state] = (stateCounts[state] || 0) + 1;
      var known = f.li.classList.contains("known");
      var on = !!severities[f.severity] && !!categories[f.category] &&
        (!document.querySelector("input.filter-state") || !!states[state]) && (showKnown || !known);
      visible[fid] = on;
      f.li.classList.toggle("hidden", !on);
      total += 1;
      if (on) shown += 1;
    });
    document.querySelectorAll("mark[data-f]").forEach(function (mark) {
      var worst = null;
      ids(mark, "data-f").forEach(function (fid) {
        if (visible[fid] && (worst === null || RANK[findings[fid].severity] > RANK[worst])) {
          worst = findings[fid].severity;
        }
      });
      mark.className = worst === null ? "off" : "sev-" + worst;
    });
    document.querySelectorAll("section.pair[data-findings]").forEach(function (pair) {
      var any = ids(pair, "data-findings").some(function (fid) { return visible[fid]; });
      pair.classList.toggle("hidden", !any && !showClean);
    });
    document.querySelectorAll("details.quiet").forEach(function (details) {
      details.open = showClean;
    });
    var doc = document.getElementById("document-findings");
    if (doc) {
      var anyDoc = ids(doc, "data-findings").some(function (fid) { return visible[fid]; });
      doc.classList.toggle("hidden", !anyDoc);
    }
    document.getElementById("visible-count").textContent = shown + " of " + total + " findings shown";
    document.querySelectorAll("[data-state-count]").forEach(function (span) {
      span.textContent = String(stateCounts[span.dataset.stateCount] || 0);
    });
  }

  function activate(fidList) {
    document.querySelectorAll(".active").forEach(function (el) { el.classList.remove("active"); });
    var first = null;
    fidList.forEach(function (fid) {
      var f = findings[fid];
      if (f && !f.li.classList.contains("hidden")) {
        f.li.classList.add("active");
        if (!first) first = f.li;
      }
      document.querySelectorAll("mark[data-f]").forEach(function (mark) {
        if (ids(mark, "data-f").indexOf(fid) >= 0) mark.classList.add("active");
      });
    });
    return first;
  }

  document.addEventListener("click", function (event) {
    var mark = event.target.closest("mark[data-f]");
    if (mark && !mark.classList.contains("off")) {
      var li = activate(ids(mark, "data-f"));
      if (li) li.scrollIntoView({ block: "nearest" });
      return;
    }
    var item = event.target.closest("li.finding");
    if (item) activate([item.dataset.fid]);
  });
  document.querySelectorAll("input.filter-severity, input.filter-category, input.filter-state, #show-clean, " +
    "#show-known").forEach(
    function (box) { box.addEventListener("change", apply); }
  );
  document.querySelectorAll("button[data-select]").forEach(function (button) {
    button.addEventListener("click", function () {
      var on = button.dataset.select === "all";
      document.querySelectorAll("input.filter-category").forEach(function (box) { box.checked = on; });
      apply();
    });
  });
  apply();
})();
