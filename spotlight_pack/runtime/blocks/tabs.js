// Tabs blocks (WAI-ARIA APG tabs, automatic activation): the tablist is built from the panels'
// titles; Left/Right move between tabs (wrapping), Home/End to the first and last, and the focused
// tab's panel is shown. Without the script (and when printed) every panel shows with its title.

function tabsSetup(el) {
  var panels = Array.prototype.filter.call(el.children, function (child) { return child.classList.contains("tab-panel"); });
  var list = document.createElement("div");
  list.setAttribute("role", "tablist");
  list.setAttribute("aria-label", el.getAttribute("data-label"));
  list.className = "tablist";
  var tabs = panels.map(function (panel) {
    var tab = document.createElement("button");
    tab.type = "button";
    tab.id = panel.id + "-tab";
    tab.setAttribute("role", "tab");
    tab.setAttribute("aria-controls", panel.id);
    tab.textContent = panel.querySelector(".tab-title").textContent;
    panel.setAttribute("role", "tabpanel");
    panel.setAttribute("aria-labelledby", tab.id);
    panel.setAttribute("tabindex", "0");
    list.appendChild(tab);
    return tab;
  });
  el.insertBefore(list, el.firstChild);
  el.classList.add("enhanced");

  function select(index, focus) {
    tabs.forEach(function (tab, i) {
      tab.setAttribute("aria-selected", i === index ? "true" : "false");
      tab.tabIndex = i === index ? 0 : -1;
      panels[i].hidden = i !== index;
    });
    if (focus) tabs[index].focus();
  }

  tabs.forEach(function (tab, index) {
    tab.addEventListener("click", function () { select(index, false); });
    tab.addEventListener("keydown", function (event) {
      var target = { ArrowRight: index + 1, ArrowLeft: index - 1, Home: 0, End: tabs.length - 1 }[event.key];
      if (target === undefined) return;
      event.preventDefault();
      select((target + tabs.length) % tabs.length, true);
    });
  });
  select(0, false);
  return {};
}

blockKinds.tabs = { setup: tabsSetup };
