// Choices found by typing (kpa.widgets.AutocompleteSelect): a select that holds only the chosen option
// becomes an ARIA 1.2 combobox (an editable text input with a listbox popup, aria-activedescendant).
// - The text input takes the select's id, so the field's label, the error summary's link, the help text
//   and the error stay attached to what the user types in; the select stays in the form, hidden, and
//   holds the chosen id, which is what the form posts.
// - Typing at least data-autocomplete-min characters asks data-autocomplete (200 ms after the last key)
//   for [{"id": ..., "label": ...}]; a polite live region says how many results there are.
// - Down/Up move through the results (Down opens them), Home/End go to the first/last, Enter chooses,
//   Escape closes the list (and, when it is closed, clears the field); leaving the field without choosing
//   puts back the text of what is chosen; emptying it chooses nothing.
// All text comes from the page (data-autocomplete-*), translated by the server. Without this file the
// select shows the chosen option and the empty one (see the widget's docstring).
//
// Also: a select with data-clears="<id>" (the gemeente of the lists' filters) empties the select with that id (its wijk)
// when it changes, so a wijk of another gemeente is not sent along with the new gemeente.
(function () {
  "use strict";
  var DEBOUNCE_MS = 200;
  var made = 0;

  function enhance(select) {
    var data = select.dataset;
    var id = select.id || "autocomplete-" + ++made;
    var minChars = parseInt(data.autocompleteMin, 10) || 2;
    var limit = parseInt(data.autocompleteLimit, 10) || 20;

    var wrapper = document.createElement("div");
    wrapper.className = "kpa-autocomplete";
    var input = document.createElement("input");
    var listbox = document.createElement("ul");
    var status = document.createElement("div");
    var hint = document.createElement("span");

    // The select hands its id to the text input and leaves the keyboard and the accessibility tree.
    select.id = id + "-select";
    input.id = id;
    input.type = "text";
    input.className = select.className.replace(/\bform-select\b/, "form-control");
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", id + "-listbox");
    input.setAttribute("autocomplete", "off");
    input.setAttribute("spellcheck", "false");
    if (data.autocompletePlaceholder) {
      input.placeholder = data.autocompletePlaceholder;
    }
    if (select.required) {
      // The server checks it; a hidden required select would block the form without a word.
      input.setAttribute("aria-required", "true");
      select.required = false;
    }
    if (select.getAttribute("aria-invalid")) {
      input.setAttribute("aria-invalid", select.getAttribute("aria-invalid"));
    }
    hint.id = id + "-hint";
    hint.className = "visually-hidden";
    hint.textContent = data.autocompleteHint || "";
    var describedBy = (select.getAttribute("aria-describedby") || "").split(/\s+/).filter(Boolean);
    describedBy.push(hint.id);
    input.setAttribute("aria-describedby", describedBy.join(" "));

    listbox.id = id + "-listbox";
    listbox.setAttribute("role", "listbox");
    listbox.className = "kpa-autocomplete-list list-group shadow-sm";
    listbox.hidden = true;
    // Its own name ("Suggestions"), not the field's: the field's label names the text input alone.
    listbox.setAttribute("aria-label", data.autocompleteResults || "");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");

    select.hidden = true;
    select.setAttribute("aria-hidden", "true");
    select.tabIndex = -1;
    wrapper.appendChild(input);
    wrapper.appendChild(listbox);
    wrapper.appendChild(status);
    wrapper.appendChild(hint);
    select.insertAdjacentElement("afterend", wrapper);

    var chosen = { id: select.value, label: select.value ? select.options[select.selectedIndex].text : "" };
    input.value = chosen.label;
    var results = [];
    var active = -1;
    var timer = null;
    var request = null;

    function announce(text) {
      // Emptied first, so the same words said twice (3 results, then 3 others) are said again.
      status.textContent = "";
      window.setTimeout(function () {
        status.textContent = text;
      }, 50);
    }

    function countText(n) {
      if (n === 0) {
        return data.autocompleteNone || "";
      }
      if (n >= limit && data.autocompleteMore) {
        return data.autocompleteMore.replace("{count}", n);
      }
      return n === 1 ? data.autocompleteOne || "" : (data.autocompleteMany || "").replace("{count}", n);
    }

    function isOpen() {
      return !listbox.hidden;
    }

    function open() {
      listbox.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }

    function close() {
      listbox.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(index) {
      var options = listbox.children;
      if (!options.length) {
        return;
      }
      active = (index + options.length) % options.length;
      for (var i = 0; i < options.length; i++) {
        var on = i === active;
        options[i].setAttribute("aria-selected", on ? "true" : "false");
        options[i].classList.toggle("active", on);
      }
      input.setAttribute("aria-activedescendant", options[active].id);
      options[active].scrollIntoView({ block: "nearest" });
    }

    function show(items) {
      results = items;
      listbox.textContent = "";
      items.forEach(function (item, i) {
        var option = document.createElement("li");
        option.id = id + "-option-" + i;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.className = "list-group-item list-group-item-action kpa-autocomplete-option";
        option.dataset.index = String(i);
        option.textContent = item.label;
        listbox.appendChild(option);
      });
      close();
      if (items.length) {
        open();
      }
      announce(countText(items.length));
    }

    function setValue(value, text) {
      var option = null;
      for (var i = 0; i < select.options.length; i++) {
        if (select.options[i].value === value) {
          option = select.options[i];
        }
      }
      if (!option) {
        option = new Option(text, value);
        select.add(option);
      }
      select.value = value;
      chosen = { id: value, label: value ? text : "" };
      select.dispatchEvent(new Event("change", { bubbles: true }));
    }

    function choose(index) {
      var item = results[index];
      if (!item) {
        return;
      }
      setValue(String(item.id), item.label);
      input.value = item.label;
      close();
    }

    function search(query) {
      if (request) {
        request.abort();
      }
      request = new AbortController();
      var url = data.autocomplete + (data.autocomplete.indexOf("?") === -1 ? "?" : "&") + "q=" + encodeURIComponent(query);
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin", signal: request.signal })
        .then(function (response) {
          if (!response.ok) {
            throw new Error(response.status);
          }
          return response.json();
        })
        .then(function (items) {
          if (document.activeElement === input && input.value.trim() === query) {
            show(items);
          }
        })
        .catch(function (error) {
          if (error.name !== "AbortError") {
            close();
            announce(data.autocompleteError || "");
          }
        });
    }

    function schedule() {
      window.clearTimeout(timer);
      var query = input.value.trim();
      if (query.length < minChars) {
        if (request) {
          request.abort();
        }
        results = [];
        listbox.textContent = "";
        close();
        return;
      }
      timer = window.setTimeout(function () {
        search(query);
      }, DEBOUNCE_MS);
    }

    input.addEventListener("input", function () {
      if (input.value.trim() === "" && chosen.id) {
        setValue("", "");
      }
      schedule();
    });

    input.addEventListener("keydown", function (event) {
      if (event.altKey && event.key !== "ArrowDown" && event.key !== "ArrowUp") {
        return;
      }
      switch (event.key) {
        case "ArrowDown":
          event.preventDefault();
          if (isOpen()) {
            highlight(event.altKey ? Math.max(active, 0) : active + 1);
          } else if (results.length) {
            open();
            if (!event.altKey) {
              highlight(0);
            }
          } else if (input.value.trim().length >= minChars) {
            window.clearTimeout(timer);
            search(input.value.trim());
          }
          break;
        case "ArrowUp":
          if (isOpen()) {
            event.preventDefault();
            if (event.altKey) {
              if (active >= 0) {
                choose(active);
              } else {
                close();
              }
            } else {
              highlight(active < 0 ? -1 : active - 1);
            }
          }
          break;
        case "Home":
        case "End":
          if (isOpen() && active >= 0) {
            event.preventDefault();
            highlight(event.key === "Home" ? 0 : results.length - 1);
          }
          break;
        case "Enter":
          if (isOpen()) {
            // Never send the form with a list open: Enter chooses the highlighted result, or just closes.
            event.preventDefault();
            if (active >= 0) {
              choose(active);
            } else {
              close();
            }
          }
          break;
        case "Escape":
          if (isOpen()) {
            event.preventDefault();
            close();
          } else if (input.value !== "") {
            event.preventDefault();
            input.value = "";
            setValue("", "");
          }
          break;
        case "Tab":
          close();
          break;
        default:
          break;
      }
    });

    input.addEventListener("blur", function () {
      close();
      if (input.value.trim() === "") {
        input.value = "";
        if (chosen.id) {
          setValue("", "");
        }
      } else if (input.value !== chosen.label) {
        input.value = chosen.label;
      }
    });

    // A click on a result chooses it; the press keeps the focus in the text input.
    listbox.addEventListener("mousedown", function (event) {
      event.preventDefault();
    });
    listbox.addEventListener("click", function (event) {
      var option = event.target.closest("[role='option']");
      if (option) {
        choose(parseInt(option.dataset.index, 10));
        input.focus();
      }
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll("select[data-autocomplete]"), enhance);

  Array.prototype.forEach.call(document.querySelectorAll("select[data-clears]"), function (select) {
    select.addEventListener("change", function () {
      var dependent = document.getElementById(select.dataset.clears);
      if (dependent) {
        dependent.value = "";
      }
    });
  });
})();
