// Drag and drop of the builder's rows (steps, fields), a progressive enhancement of each row's
// move control (a position select and « Déplacer », which works without JavaScript and stays
// the keyboard way). A row dropped on another takes that row's position: the script sets the
// dragged row's select and submits its form, so the server moves it and the page, reloaded,
// shows the order and the message. Pressing the handle moves the focus to the row's select.

const DRAGGING = "cq-reorder__row--dragging";
const DROP_BEFORE = "cq-reorder__row--drop-before";
const DROP_AFTER = "cq-reorder__row--drop-after";

function moveSelect(row) {
  return row.querySelector("form select[name='position']");
}

function enhance(body) {
  const rows = Array.from(body.querySelectorAll("tr[data-reorder-row]")).filter(moveSelect);
  if (rows.length < 2) {
    return;
  }
  let dragged = null;

  function clearTargets() {
    rows.forEach((row) => row.classList.remove(DROP_BEFORE, DROP_AFTER));
  }

  function endDrag() {
    clearTargets();
    if (dragged) {
      dragged.classList.remove(DRAGGING);
      dragged.removeAttribute("draggable");
    }
    dragged = null;
  }

  rows.forEach((row) => {
    const handle = row.querySelector("[data-reorder-handle]");
    if (!handle) {
      return;
    }
    handle.hidden = false;
    // Only the handle starts a drag: the row is draggable while the pointer is down on it, so
    // the row's text stays selectable and its links and form controls behave as usual.
    handle.addEventListener("pointerdown", () => row.setAttribute("draggable", "true"));
    handle.addEventListener("pointerup", () => {
      if (!dragged) {
        row.removeAttribute("draggable");
      }
    });
    handle.addEventListener("click", () => moveSelect(row).focus());

    row.addEventListener("dragstart", (event) => {
      if (row.getAttribute("draggable") !== "true") {
        return;
      }
      dragged = row;
      row.classList.add(DRAGGING);
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", handle.textContent.trim());
    });
    row.addEventListener("dragend", endDrag);
    row.addEventListener("dragover", (event) => {
      if (!dragged || dragged === row) {
        return;
      }
      event.preventDefault();
      event.dataTransfer.dropEffect = "move";
      clearTargets();
      row.classList.add(rows.indexOf(dragged) < rows.indexOf(row) ? DROP_AFTER : DROP_BEFORE);
    });
    row.addEventListener("dragleave", (event) => {
      if (!row.contains(event.relatedTarget)) {
        row.classList.remove(DROP_BEFORE, DROP_AFTER);
      }
    });
    row.addEventListener("drop", (event) => {
      if (!dragged || dragged === row) {
        return;
      }
      event.preventDefault();
      const select = moveSelect(dragged);
      select.value = String(rows.indexOf(row) + 1);
      const form = select.form;
      endDrag();
      form.requestSubmit();
    });
  });
}

document.querySelectorAll("tbody[data-reorder]").forEach(enhance);
