// The inbox's bulk form shows only the field the chosen action needs: the agent for
// "assign_to", the label for "label", the message for "request_changes" and "close".
// Without JavaScript every field shows, each label naming the action it is for.
const form = document.querySelector("[data-bulk-form]");
if (form) {
  const action = form.querySelector("select[name=action]");
  const parts = form.querySelectorAll("[data-bulk-for]");
  const show = () => {
    for (const part of parts) {
      const wanted = part.dataset.bulkFor.split(" ").includes(action.value);
      part.hidden = !wanted;
      // A hidden field is not sent: a stale choice cannot ride along with another action.
      for (const field of part.querySelectorAll("select, textarea")) field.disabled = !wanted;
    }
  };
  action.addEventListener("change", show);
  show();
}
