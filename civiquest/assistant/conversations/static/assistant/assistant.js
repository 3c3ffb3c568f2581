/* The assistant's forms, streamed: posts the form to its data-stream-url and reads the
   server-sent events (sources, token, notice, done, error) as they come. Without this
   script, the form is a plain POST answered by a new page. Loaded once however many
   forms include it. */
(function () {
  "use strict";
  if (window.civiquestAssistant) {
    return;
  }
  window.civiquestAssistant = true;

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text) {
      node.textContent = text;
    }
    return node;
  }

  function parseBlock(block) {
    var event = "message";
    var data = [];
    block.split("\n").forEach(function (line) {
      if (line.indexOf("event:") === 0) {
        event = line.slice(6).trim();
      } else if (line.indexOf("data:") === 0) {
        data.push(line.slice(5).replace(/^ /, ""));
      }
    });
    if (!data.length) {
      return null;
    }
    try {
      return { event: event, data: JSON.parse(data.join("\n")) };
    } catch (error) {
      return null;
    }
  }

  function ask(form) {
    var target = document.getElementById(form.getAttribute("data-target"));
    var field = form.querySelector("textarea[name=question]");
    var question = field ? field.value.trim() : "";
    if (!target || !question) {
      return false;
    }
    var body = new FormData(form);
    var token = form.querySelector("input[name=csrfmiddlewaretoken]");
    var labels = form.dataset;

    var item = element("div", "fr-mb-3w cq-assistant-exchange");
    item.appendChild(element("h3", "fr-h6 fr-mb-1w", labels.labelQuestion));
    item.appendChild(element("p", "cq-assistant-question", question));
    item.appendChild(element("h3", "fr-h6 fr-mb-1w", labels.labelAnswer));
    var answer = element("div", "cq-assistant-answer");
    // Announced once, politely, when the answer is complete (aria-busy while it streams).
    answer.setAttribute("aria-live", "polite");
    answer.setAttribute("aria-busy", "true");
    var status = element("p", "fr-text--sm", labels.labelWriting);
    var text = element("p", "cq-assistant-text");
    text.style.whiteSpace = "pre-wrap";
    answer.appendChild(status);
    answer.appendChild(text);
    item.appendChild(answer);
    target.appendChild(item);
    // The conversation's section is hidden until it holds an exchange.
    var section = target.closest ? target.closest("section[hidden]") : null;
    if (section) {
      section.hidden = false;
    }
    if (field) {
      field.value = "";
    }
    var button = form.querySelector("button[type=submit]");
    // A disabled button loses the focus: give it back to the question when the answer is in.
    var focusWasInForm = form.contains(document.activeElement);
    if (button) {
      button.disabled = true;
    }

    function finish(message) {
      if (message) {
        answer.innerHTML = "";
        var alert = element("div", "fr-alert fr-alert--error fr-alert--sm");
        alert.appendChild(element("p", "", message));
        answer.appendChild(alert);
      }
      answer.setAttribute("aria-busy", "false");
      if (button) {
        button.disabled = false;
      }
      var active = document.activeElement;
      if (focusWasInForm && field && (!active || active === document.body)) {
        field.focus();
      }
    }

    function handle(event) {
      var data = event.data;
      if (event.event === "sources") {
        var conversation = form.querySelector("input[name=conversation]");
        if (conversation && data.conversation) {
          conversation.value = data.conversation;
        }
        if (data.sources && data.sources.length) {
          var list = element("ul", "cq-assistant-sources");
          data.sources.forEach(function (source) {
            var entry = element("li");
            var link = element("a", "fr-link", source.title);
            link.href = source.url;
            entry.appendChild(link);
            entry.appendChild(document.createTextNode(" "));
            entry.appendChild(element("span", "fr-badge fr-badge--sm fr-badge--no-icon", source.kind_label));
            list.appendChild(entry);
          });
          answer.appendChild(element("p", "fr-text--md fr-mb-1w", labels.labelSources));
          answer.appendChild(list);
        }
      } else if (event.event === "token") {
        text.textContent += data.text;
      } else if (event.event === "notice") {
        if (data.discard_tokens) {
          text.textContent = "";
        }
        var notice = element("div", "fr-alert fr-alert--info fr-alert--sm fr-mb-2w");
        notice.appendChild(element("p", "", data.text));
        answer.insertBefore(notice, text);
      } else if (event.event === "done") {
        // The answer as the server rendered and stored it: text, sources, human offer, feedback.
        answer.innerHTML = data.html;
        if (data.message) {
          answer.id = "message-" + data.message;
        }
        if (window.htmx) {
          window.htmx.process(answer);
        }
        finish("");
        return true;
      } else if (event.event === "error") {
        finish(data.message || labels.labelFailed);
        return true;
      }
      return false;
    }

    fetch(labels.streamUrl, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { Accept: "text/event-stream", "X-CSRFToken": token ? token.value : "" },
    })
      .then(function (response) {
        if (!response.body) {
          throw new Error("no body");
        }
        var reader = response.body.getReader();
        var decoder = new TextDecoder();
        var buffer = "";
        var ended = false;
        function pump() {
          return reader.read().then(function (chunk) {
            if (chunk.done) {
              if (!ended) {
                finish(labels.labelFailed);
              }
              return;
            }
            buffer += decoder.decode(chunk.value, { stream: true });
            var blocks = buffer.split("\n\n");
            buffer = blocks.pop();
            blocks.forEach(function (block) {
              var event = parseBlock(block);
              if (event && handle(event)) {
                ended = true;
              }
            });
            return pump();
          });
        }
        return pump();
      })
      .catch(function () {
        finish(labels.labelFailed);
      });
    return true;
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute || !form.hasAttribute("data-cq-assistant") || !window.fetch || !window.TextDecoder) {
      return;
    }
    if (ask(form)) {
      event.preventDefault();
    }
  });
})();
