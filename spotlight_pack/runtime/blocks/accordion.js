// Accordion blocks (WAI-ARIA APG accordion): each header's button shows or hides its panel; Up/Down
// move between the headers (wrapping), Home/End to the first and last. Panels start open in the HTML
// (no script, print) and are closed here.

function accordionSetup(el) {
  var buttons = Array.prototype.filter.call(el.querySelectorAll(".accordion-heading > button"), function (button) {
    return button.closest(".accordion") === el;
  });

  function set(button, open) {
    button.setAttribute("aria-expanded", open ? "true" : "false");
    document.getElementById(button.getAttribute("aria-controls")).hidden = !open;
  }

  buttons.forEach(function (button, index) {
    set(button, false);
    button.addEventListener("click", function () {
      set(button, button.getAttribute("aria-expanded") !== "true");
    });
    button.addEventListener("keydown", function (event) {
      var target = { ArrowDown: index + 1, ArrowUp: index - 1, Home: 0, End: buttons.length - 1 }[event.key];
      if (target === undefined) return;
      event.preventDefault();
      buttons[(target + buttons.length) % buttons.length].focus();
    });
  });
  return {};
}

blockKinds.accordion = { setup: accordionSetup };
