// mtqa HTML report: filters by severity and category, collapsing of pairs without findings, and
// click-to-link between a highlighted span and its finding. Works on the server-rendered markup only.
(function () {
  "use strict";
  var RANK = { minor: 0, major: 1, critical: 2 };
  var findings = {};
  document.querySelectorAll("li.finding").forEach(function (li) {
    findings[li.dataset.fid] = { li: li, severity: li.dataset.severity, category: li.dataset.category };
  });

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
    var showClean = document.getElementById("show-clean").checked;
    var visible = {};
    var shown = 0;
    var total = 0;
    Object.keys(findings).forEach(function (fid) {
      var f = findings[fid];
      var on = !!severities[f.severity] && !!categories[f.category];
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
  document.querySelectorAll("input.filter-severity, input.filter-category, #show-clean").forEach(
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
